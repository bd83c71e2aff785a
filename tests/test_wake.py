"""After the PC sleeps, the poller reads at once; until it has, the data is marked stale.

A suspend is simulated with a pair of hand-set clocks: the wall clock moves on, the monotonic
clock (Linux CLOCK_MONOTONIC, macOS) does not.
"""

from __future__ import annotations

import threading
import time

from claude_carthing import errors
from claude_carthing.alerts.events import Tracker
from claude_carthing.demo import demo_usage
from claude_carthing.poller import Poller
from claude_carthing.serving.payload import usage_document
from claude_carthing.upstream.sources import Reading
from claude_carthing.wake import WakeWatch, boottime
from tests.support.clock import Clock

NIGHT_S = 8 * 3600.0


class GatedSource:
    """A source whose reads the test lets through one at a time (and counts)."""

    name = "gated"

    def __init__(self, wall: Clock, fail: errors.CarthingError | None = None) -> None:
        self.wall = wall
        self.fail = fail
        self.reads = 0
        self.started = threading.Semaphore(0)
        self.go = threading.Semaphore(0)

    def read(self) -> Reading:
        self.reads += 1
        self.started.release()
        if self.reads > 1:
            assert self.go.acquire(timeout=15)
        if self.fail is not None and self.reads > 1:
            raise self.fail
        return Reading(demo_usage(self.wall.now), "oauth", None)

    def close(self) -> None:
        pass


def clocks() -> tuple[Clock, Clock]:
    wall, mono = Clock(), Clock()
    mono.now = 5000.0
    return wall, mono


def started_poller(source: GatedSource, wall: Clock, mono: Clock) -> Poller:
    poller = Poller(source, interval=300, clock=wall, monotonic=mono, jitter=lambda: 0.5)
    poller.start()
    assert source.started.acquire(timeout=15)  # the first read, at start
    deadline = time.monotonic() + 15
    while poller.snapshot().usage is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return poller


def test_a_night_asleep_is_noticed_and_read_at_once_marked_stale_until_then() -> None:
    wall, mono = clocks()
    source = GatedSource(wall)
    poller = started_poller(source, wall, mono)
    try:
        before = poller.snapshot()
        assert before.state == "live"
        wall.now += NIGHT_S  # suspend: the wall clock moves on, the monotonic clock stands still
        mono.now += 1
        # The poller loop looks at least every few seconds; the read starts long before the
        # 300 s interval on the monotonic clock has run out.
        assert source.started.acquire(timeout=10), "no read after the wake"
        during = poller.snapshot()
        assert during.stale and during.state == "stale" and during.waking
        meta = usage_document(during, wall.now)["meta"]
        assert meta["stale"] is True and meta["waking"] is True
        source.go.release()
        deadline = time.monotonic() + 10
        while poller.snapshot().last_success_at == before.last_success_at:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        after = poller.snapshot()
        assert after.state == "live" and not after.stale and not after.waking
        assert after.last_success_at == wall.now
        assert source.reads == 2
    finally:
        source.go.release()
        poller.stop()


def test_a_wake_is_no_stale_alarm_while_the_read_is_under_way() -> None:
    wall, mono = clocks()
    source = GatedSource(wall)
    poller = started_poller(source, wall, mono)
    try:
        tracker = Tracker((80.0, 95.0), stale_after_s=60.0)
        tracker.update(poller.snapshot(), wall.now)
        wall.now += NIGHT_S
        assert source.started.acquire(timeout=10)
        during = poller.snapshot()
        assert during.waking
        assert tracker.stale_due_at(during) is None
        assert [e.kind for e in tracker.update(during, wall.now)] == []
    finally:
        source.go.release()
        poller.stop()


def test_a_failed_read_after_the_wake_keeps_the_data_stale_for_its_error() -> None:
    wall, mono = clocks()
    source = GatedSource(wall, fail=errors.UpstreamError("upstream answered 500"))
    poller = started_poller(source, wall, mono)
    try:
        wall.now += NIGHT_S
        assert source.started.acquire(timeout=10)
        source.go.release()
        deadline = time.monotonic() + 10
        while poller.snapshot().last_error is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        snap = poller.snapshot()
        assert snap.stale and not snap.waking and snap.poll_mode == "backoff"
    finally:
        source.go.release()
        poller.stop()


def test_without_a_suspend_the_interval_is_waited_out() -> None:
    wall, mono = clocks()
    source = GatedSource(wall)
    poller = started_poller(source, wall, mono)
    try:
        wall.now += 45  # an NTP step of less than a minute is no wake
        wall.now -= 3600  # nor is a clock set back
        assert not source.started.acquire(timeout=7)  # the loop looked at least once
        assert poller.snapshot().state == "live"
        mono.now += 300  # the interval passed on the monotonic clock
        wall.now += 300
        assert source.started.acquire(timeout=10)
    finally:
        source.go.release()
        poller.stop()


def test_the_wake_watch_reports_the_time_asleep_once() -> None:
    wall, mono = clocks()
    watch = WakeWatch(mono, wall)
    wall.now += 59
    assert watch.slept() == 0.0
    wall.now += 2 * 3600
    mono.now += 10
    assert watch.slept() == 2 * 3600 - 10
    assert watch.slept() == 0.0


def test_linux_boottime_is_used_beside_the_real_monotonic_clock() -> None:
    counts_sleep = boottime()
    if counts_sleep is None:  # macOS, Windows: the wall clock stands in
        return
    first = counts_sleep()
    assert abs((counts_sleep() - time.monotonic()) - (first - time.monotonic())) < 1.0
