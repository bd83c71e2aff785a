"""The event rules themselves, on poller snapshots: what counts as a crossing and a reset."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from claude_carthing.alerts import store
from claude_carthing.alerts.events import Announced, Tracker
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Snapshot

NOW = 1_800_000_000.0


def snap(percent: float, resets_in_h: float | None = 3.0, severity: str | None = None,
         error: str | None = None) -> Snapshot:
    """A snapshot with one weekly window."""
    resets = (datetime.fromtimestamp(NOW, tz=timezone.utc) + timedelta(hours=resets_in_h)
              if resets_in_h is not None else None)
    usage = Usage((Window("seven_day", "Weekly", "weekly", percent, resets, severity),))
    return Snapshot(usage=usage, source="oauth", last_success_at=NOW - 60, last_error=error)


def kinds(tracker: Tracker, *snaps: Snapshot) -> list[str]:
    """Feed the snapshots in order; return the kinds of every event raised."""
    return [e.kind for s in snaps for e in tracker.update(s, NOW)]


def test_jumping_past_both_thresholds_is_one_event_at_the_higher() -> None:
    tracker = Tracker((80.0, 95.0), 1800)
    events = tracker.update(snap(97), NOW)
    assert [(e.kind, e.threshold, e.urgency) for e in events] == [("threshold", 95.0, "critical")]
    assert tracker.update(snap(99), NOW) == []


def test_a_dip_without_a_new_period_is_no_reset_and_no_second_crossing() -> None:
    tracker = Tracker((80.0, 95.0), 1800)
    # A weekly window can drift down as old use rolls out; that is not "full budget again".
    assert kinds(tracker, snap(82), snap(78), snap(83)) == ["threshold"]


def test_a_reset_needs_the_use_below_the_thresholds_and_the_reset_time_moved_on() -> None:
    tracker = Tracker((80.0, 95.0), 1800)
    assert kinds(tracker, snap(85, 1), snap(4, 1)) == ["threshold"]  # same period: no reset
    assert kinds(tracker, snap(4, 169)) == ["reset"]
    assert kinds(tracker, snap(4, 169), snap(81, 169)) == ["threshold"]  # armed again


def test_severity_is_announced_once_per_step() -> None:
    tracker = Tracker((80.0, 95.0), 1800)
    assert kinds(tracker, snap(60, severity="warning"), snap(61, severity="warning"),
                 snap(70, severity="critical")) == ["severity", "severity"]


def test_failed_reads_raise_no_window_events() -> None:
    tracker = Tracker((80.0, 95.0), 1800)
    assert kinds(tracker, snap(99, error="Claude is unreachable")) == []


def test_a_damaged_state_file_starts_from_scratch(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "alerts.json"
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert store.load(path).windows == {}
    assert "start from scratch" in caplog.text
    tracker = Tracker((80.0,), 1800, store.load(path))
    tracker.update(snap(90), NOW)
    store.save(path, tracker.announced)
    assert Tracker((80.0,), 1800, store.load(path)).update(snap(90), NOW) == []


def test_snapshots_never_pile_up_while_delivery_waits() -> None:
    from claude_carthing.alerts.dispatch import Alerts
    from claude_carthing.settings import load_settings

    alerts = Alerts(load_settings(notify="off"), clock=lambda: NOW)
    for percent in range(1000):  # e.g. `serve` without its lifespan, or a slow hook
        alerts.observe(snap(percent / 20))
    alerts.observe(snap(90))
    alerts.start()
    try:
        alerts.drain()
        assert alerts.handled == 1  # only the newest was waiting
        assert [e.kind for e in alerts.delivered] == ["threshold"]
    finally:
        alerts.stop()


class Flaky:
    """Desktop notifications that fail on the first event they get, then show the rest."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, event) -> bool:
        self.shown.append(event.kind)
        if len(self.shown) == 1:
            raise RuntimeError("the notification service went away")
        return True


def two_windows(percent: float) -> Snapshot:
    usage = Usage((Window("five_hour", "5-hour", "session", percent, None),
                   Window("seven_day", "Weekly", "weekly", percent, None)))
    return Snapshot(usage=usage, source="oauth", last_success_at=NOW - 60)


def test_one_event_that_fails_to_show_never_costs_the_others(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from claude_carthing.alerts.dispatch import Alerts
    from claude_carthing.settings import load_settings

    shower = Flaky()
    alerts = Alerts(load_settings(notify="on"), clock=lambda: NOW, shower=shower,
                    state_path=tmp_path / "alerts.json")
    alerts.start()
    try:
        with caplog.at_level(logging.ERROR):
            alerts.observe(two_windows(85))
            alerts.drain()
        assert shower.shown == ["threshold", "threshold"]  # the second one is still shown
        assert any("Could not deliver" in r.getMessage() for r in caplog.records)
        alerts.observe(two_windows(96))
        alerts.drain()
        assert shower.shown == ["threshold"] * 4 and alerts.handled == 2
    finally:
        alerts.stop()


def test_a_stale_wait_beyond_what_threading_accepts_leaves_the_alerts_thread_alive(
        tmp_path: Path) -> None:
    from dataclasses import replace

    from claude_carthing.alerts.dispatch import Alerts
    from claude_carthing.settings import load_settings

    # Whatever the settings allow, a wait far past threading.TIMEOUT_MAX must not kill the thread.
    settings = replace(load_settings(notify="off"), notify_stale_minutes=200_000_000)
    alerts = Alerts(settings, clock=lambda: NOW, state_path=tmp_path / "alerts.json")
    alerts.start()
    try:
        alerts.observe(snap(50, error="timeout"))  # stale data: the thread sleeps until due
        alerts.drain(5)
        alerts.observe(snap(90))
        alerts.drain(5)
        assert alerts.handled == 2
        assert [e.kind for e in alerts.delivered] == ["threshold"]
    finally:
        alerts.stop()


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_saving_never_writes_through_a_link_left_at_a_fixed_temporary_name(tmp_path) -> None:
    # Another program (or a stale run) left a link where a fixed `alerts.json.tmp` would go.
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file\n")
    path = tmp_path / "alerts.json"
    (tmp_path / "alerts.json.tmp").symlink_to(outside)
    store.save(path, Announced())
    assert outside.read_text() == "someone else's file\n"
    assert store.load(path).windows == {} and path.is_file() and not path.is_symlink()
