"""Named poller and cadence behaviours, each with a test that a one-line change to it fails.

Stand-in sources make the concurrency deterministic: they wait for each other instead of
hoping a sleep lines the threads up.
"""

from __future__ import annotations

import threading
import time

from claude_carthing import errors
from claude_carthing.claude_code import activity
from claude_carthing.demo import demo_usage
from claude_carthing.poller import Poller
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource, Reading
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_upstream import FakeUpstream


class StandIn:
    """A usage source that counts reads in flight; `hold` makes each read wait to be let go."""

    name = "stand-in"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.reads = 0
        self.entered = threading.Semaphore(0)
        self.overlap = threading.Event()
        self.release = threading.Event()
        self.on_read: list[object] = []

    def read(self) -> Reading:
        with self.lock:
            self.in_flight += 1
            self.reads += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.in_flight > 1:
                self.overlap.set()
        self.entered.release()
        try:
            # Wait until let go, or until a second read shows up beside this one: an overlap is
            # then seen for certain, not by the luck of a sleep.
            deadline = time.monotonic() + 2.0
            while not (self.release.is_set() or self.overlap.is_set()):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.005)
            for action in self.on_read:
                if isinstance(action, Exception):
                    raise action
                if callable(action):
                    action()
            return Reading(demo_usage(self.clock.now), "oauth", None)
        finally:
            with self.lock:
                self.in_flight -= 1

    def close(self) -> None:
        pass


def stand_in_poller(clock: Clock, source: StandIn, **kwargs: object) -> Poller:
    return Poller(source, interval=300, clock=clock, monotonic=clock,  # type: ignore[arg-type]
                  jitter=lambda: 0.5, **kwargs)  # type: ignore[arg-type]


# --- cadence ------------------------------------------------------------------------------------

def test_a_ceiling_below_the_interval_never_makes_reads_more_frequent(
        fake_upstream: FakeUpstream) -> None:
    creds.write_oauth()
    clock = Clock()
    settings = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=1.0,
                             source="oauth")
    poller = Poller(ClaudeSource(settings), interval=3600, max_interval=1800, clock=clock,
                    monotonic=clock, jitter=lambda: 0.5)
    found = []
    for _ in range(6):  # unchanged numbers: the stretching would start after two
        snap = poller.poll_once()
        wait = snap.next_poll_at - clock.now
        found.append(round(wait))
        clock.now += wait
    assert found == [3600] * 6
    assert poller.snapshot().interval == 3600


# --- poller ---------------------------------------------------------------------------------------

def test_credentials_rewritten_during_a_refused_read_end_the_pause() -> None:
    creds.write_oauth()
    clock = Clock()
    source = StandIn(clock)
    source.release.set()

    def log_in_again() -> None:  # Claude Code rewrites its file while our request is refused
        creds.write_oauth(token="sk-ant-oat01-FAKE-rewritten-during-the-read")

    source.on_read = [log_in_again, errors.AuthError("The login was refused (401).")]
    poller = stand_in_poller(clock, source)
    snap = poller.poll_once()
    assert snap.paused
    assert poller._due(), "the new login must be read, not waited for"


def test_a_refused_read_with_unchanged_credentials_stays_paused() -> None:
    creds.write_oauth()
    clock = Clock()
    source = StandIn(clock)
    source.release.set()
    source.on_read = [errors.AuthError("The login was refused (401).")]
    poller = stand_in_poller(clock, source)
    assert poller.poll_once().paused
    clock.now += 3600
    assert not poller._due()


def test_two_threads_polling_a_slow_source_never_have_two_reads_in_flight() -> None:
    clock = Clock()
    source = StandIn(clock)
    poller = stand_in_poller(clock, source)
    threads = [threading.Thread(target=poller.poll_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert source.reads == 2
    assert source.most_in_flight == 1
    assert not source.overlap.is_set()


def test_claude_code_activity_never_shortens_a_failure_backoff() -> None:
    creds.write_oauth()
    clock = Clock()
    source = StandIn(clock)
    source.release.set()
    source.on_read = [errors.UpstreamError("Claude's servers answered 500.")]
    poller = stand_in_poller(clock, source, activity=activity.signature)
    snap = poller.poll_once()
    assert snap.poll_mode == "backoff"
    backoff = snap.next_poll_at - clock.now
    assert round(backoff) == 330  # 300 s, grown by the jitter (0.5 x 20 %)
    (creds.claude_dir() / "history.jsonl").write_text("{}\n", encoding="utf-8")
    clock.now += 329  # past the normal interval, short of the backoff
    assert not poller._due()
    clock.now += 1
    assert poller._due()


def test_a_dial_press_during_a_read_is_accepted_and_waits_for_that_read() -> None:
    clock = Clock()
    source = StandIn(clock)
    poller = stand_in_poller(clock, source)
    reader = threading.Thread(target=poller.poll_once)
    reader.start()
    try:
        assert source.entered.acquire(timeout=10)  # the read is under way
        assert poller.request_refresh() == (True, 0.0)
    finally:
        source.release.set()
        reader.join(10)
    assert source.reads == 1
    assert not poller._due(), "the press was answered by the read under way, not a second one"
