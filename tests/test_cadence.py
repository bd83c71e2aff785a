"""Adaptive cadence: read as often as the numbers move, never older than the ceiling."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from claude_carthing.claude_code import activity
from claude_carthing.claude_code.get_usage import ClaudeCodeReader
from claude_carthing.poller import Poller
from claude_carthing.serving.payload import usage_document
from claude_carthing.settings import load_settings
from claude_carthing.terminal import state_line
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_claude import FakeClaude, wait_gone
from tests.support.fake_upstream import fixture


@pytest.fixture
def clock():
    return Clock()


def make_poller(upstream, clock, *, watch=None, source="oauth", reader=None):
    settings = load_settings(web_url=upstream.url, api_url=upstream.url, timeout=1.0,
                             source=source)
    return Poller(ClaudeSource(settings, claude_code=reader), interval=300, clock=clock,
                  monotonic=clock, jitter=lambda: 0.5, max_interval=1800, activity=watch)


def usage_at(five_hour: float, resets_at: float | None = None) -> dict:
    data = copy.deepcopy(fixture("legacy"))
    data["five_hour"]["utilization"] = five_hour
    if resets_at is not None:
        data["five_hour"]["resets_at"] = datetime.fromtimestamp(resets_at, timezone.utc).isoformat()
    return data


def waits(poller, clock, reads):
    """Read `reads` times, each when due; return the waits the poller chose."""
    found = []
    for _ in range(reads):
        snap = poller.poll_once()
        wait = snap.next_poll_at - clock.now
        found.append(round(wait))
        clock.now += wait
    return found


def test_unchanged_readings_stretch_step_by_step_to_the_ceiling(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    assert waits(poller, clock, 7) == [300, 300, 600, 1200, 1800, 1800, 1800]
    snap = poller.snapshot()
    assert snap.poll_mode == "idle" and snap.interval == 1800 and snap.normal_interval == 300
    meta = usage_document(snap, clock.now)["meta"]
    assert meta["poll_mode"] == "idle" and meta["poll_interval_s"] == 1800
    assert meta["state"] == "live" and not meta["stale"]  # slow on purpose is not stale


def test_without_a_ceiling_the_interval_never_stretches(fake_upstream, clock):
    creds.write_oauth()
    settings = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=1.0,
                             source="oauth")
    poller = Poller(ClaudeSource(settings), interval=300, clock=clock, monotonic=clock)
    assert waits(poller, clock, 5) == [300] * 5


def test_a_change_snaps_back_to_the_normal_interval(fake_upstream, clock):
    creds.write_oauth()
    fake_upstream.set_usage(usage_at(10.0))
    poller = make_poller(fake_upstream, clock)
    assert waits(poller, clock, 5)[-1] == 1800
    fake_upstream.set_usage(usage_at(12.0))
    assert waits(poller, clock, 1) == [300]
    assert poller.snapshot().poll_mode == "normal"


def test_a_manual_refresh_snaps_back(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    waits(poller, clock, 5)
    clock.now -= 1000  # well before the next idle read
    assert poller.request_refresh()[0]
    assert poller.snapshot().poll_mode == "normal"
    assert waits(poller, clock, 1) == [300]


def test_claude_code_activity_snaps_back_with_a_local_check_only(fake_upstream, clock):
    creds.write_oauth()
    folder = creds.claude_dir()
    poller = make_poller(fake_upstream, clock, watch=activity.signature)
    waits(poller, clock, 5)
    clock.now -= 1800  # just after the last read; the next is 30 min away
    clock.now += 400
    reads = len(fake_upstream.usage_requests())
    assert not poller._due()  # nothing happened locally: stay idle
    (folder / "history.jsonl").write_text('{"display": "a prompt"}\n', encoding="utf-8")
    assert poller._due()  # due at once: the last read is more than 5 min old
    assert len(fake_upstream.usage_requests()) == reads  # the check itself asked nobody
    assert poller.snapshot().poll_mode == "normal" and poller.snapshot().interval == 300


def test_with_claude_code_quiet_one_unchanged_reading_is_enough(fake_upstream, clock):
    creds.write_oauth()
    history = creds.claude_dir() / "history.jsonl"
    poller = make_poller(fake_upstream, clock, watch=activity.signature)
    assert waits(poller, clock, 3) == [300, 600, 1200]  # quiet: stretch at once
    fake_upstream.set_usage(usage_at(50.0))
    found = []
    for _ in range(3):  # numbers still, but someone types in Claude Code between the reads
        snap = poller.poll_once()
        found.append(round(snap.next_poll_at - clock.now))
        history.write_text(history.read_text() + "{}\n" if history.exists() else "{}\n")
        clock.now += 60
        poller._due()
        clock.now = poller.snapshot().next_poll_at
    assert found == [300, 300, 300]  # in use: the normal interval, not stretched


def test_a_new_session_folder_counts_as_activity(tmp_path):
    before = activity.signature(tmp_path)
    (tmp_path / "projects" / "-home-ann-code").mkdir(parents=True)
    assert activity.signature(tmp_path) != before


def test_activity_never_shortens_a_backoff(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock, watch=activity.signature)
    fake_upstream.fail_with("server_500")
    snap = poller.poll_once()
    assert snap.poll_mode == "backoff"
    (creds.claude_dir() / "history.jsonl").write_text("{}\n", encoding="utf-8")
    clock.now += 299
    assert not poller._due()


def test_a_reset_time_passing_brings_a_read_and_stays_idle(fake_upstream, clock):
    creds.write_oauth()
    reset = clock.now + 7200
    fake_upstream.set_usage(usage_at(40.0, reset))
    poller = make_poller(fake_upstream, clock)
    assert waits(poller, clock, 6) == [300, 300, 600, 1200, 1800, 1800]
    # now 6000 s in: the reset is 1200 s away, sooner than the 1800 s ceiling
    snap = poller.poll_once()
    assert snap.next_poll_at == reset + 30
    clock.now = reset + 30
    fake_upstream.set_usage(usage_at(0.0, reset + 5 * 3600))  # the window rolled over
    snap = poller.poll_once()
    assert snap.usage.window("five_hour").utilization == 0.0
    assert snap.poll_mode == "idle"  # the reset's own drop is not someone using Claude


def test_status_says_when_the_next_read_comes_and_why(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    waits(poller, clock, 4)
    clock.now -= 1200 - 240  # 4 min after the last read; the next is 20 min away
    line = state_line(usage_document(poller.snapshot(), clock.now)).plain
    assert "idle: next read in 16 min" in line


def test_our_own_claude_child_is_not_taken_for_local_activity(tmp_path, monkeypatch,
                                                              fake_upstream, clock):
    creds.claude_dir().mkdir(parents=True, exist_ok=True)
    fake = FakeClaude(tmp_path / "bin").install()
    reader = ClaudeCodeReader(str(fake.path))
    poller = make_poller(fake_upstream, clock, watch=activity.signature, source="claude-code",
                         reader=reader)
    # Stretched after one unchanged reading: the child's own writes did not count as someone
    # using Claude Code (which would have kept the normal interval).
    assert waits(poller, clock, 5) == [300, 600, 1200, 1800, 1800]
    assert (creds.claude_dir() / ".claude.json").exists()  # the child did write there


def test_stopping_the_poller_mid_read_reaps_the_claude_child(tmp_path, fake_upstream):
    fake = FakeClaude(tmp_path / "bin").install("wrapper_hang")
    settings = load_settings(source="claude-code")
    poller = Poller(ClaudeSource(settings, claude_code=ClaudeCodeReader(str(fake.path))),
                    interval=300)
    poller.start()
    (call,) = fake.wait_for_calls(1)
    assert poller.stop(timeout=10)
    wait_gone(call["pid"], call["grandchild"])


def test_stopping_the_server_mid_read_reaps_the_claude_child(tmp_path):
    from claude_carthing.service import build_service

    fake = FakeClaude(tmp_path / "bin").install("wrapper_hang")
    service = build_service(load_settings(source="claude-code", claude_path=str(fake.path)))
    service.poller.start()
    (call,) = fake.wait_for_calls(1)
    service.close()  # what the server's lifespan does when it stops
    wait_gone(call["pid"], call["grandchild"])


def test_a_failing_claude_child_is_not_taken_for_local_activity(tmp_path, fake_upstream, clock):
    creds.claude_dir().mkdir(parents=True, exist_ok=True)
    fake = FakeClaude(tmp_path / "bin").install("garbage")  # writes .claude.json, then fails
    poller = make_poller(fake_upstream, clock, watch=activity.signature, source="claude-code",
                         reader=ClaudeCodeReader(str(fake.path)))
    snap = poller.poll_once()
    assert snap.poll_mode == "backoff"
    assert not poller._active_since_read
    clock.now += 10
    poller._due()
    assert not poller._active_since_read  # its own write was not someone using Claude Code
