"""Issue 17.21 and 17.22: the words alerts use in notifications and in the log."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta, timezone

import pytest

from claude_carthing.alerts.dispatch import Alerts
from claude_carthing.alerts.events import Event, Tracker, read_event
from claude_carthing.alerts.notifier import DesktopNotifications
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Snapshot
from claude_carthing.projection import RESET_DUE
from claude_carthing.settings import load_settings
from tests.support.shown import Recorder

NOW = 1_800_000_000.0


def snap(percent: float, resets_in_s: float) -> Snapshot:
    resets = datetime.fromtimestamp(NOW, tz=timezone.utc) + timedelta(seconds=resets_in_s)
    usage = Usage((Window("seven_day", "Weekly", "weekly", percent, resets, None),))
    return Snapshot(usage=usage, source="oauth", last_success_at=NOW - 60)


def test_a_passed_reset_time_has_the_one_wording() -> None:
    tracker = Tracker((80.0,), 1800)
    [event] = tracker.update(snap(85, -30), NOW)  # the reset was 30 s ago; no new reading yet
    assert RESET_DUE in event.body.lower()
    assert "soon" not in event.body and "Resets at" not in event.body
    assert RESET_DUE in read_event(snap(85, -30), NOW).body.lower()
    upcoming = tracker.update(snap(90, 3 * 3600), NOW)  # a later period, not yet due
    assert "resets at" in read_event(snap(90, 3 * 3600), NOW).body.lower()
    assert upcoming == [] or RESET_DUE not in upcoming[0].body.lower()


def test_the_log_separates_a_notifications_title_and_body(
        tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    alerts = Alerts(load_settings(), clock=lambda: NOW, shower=Recorder(),
                    state_path=tmp_path / "announced.json")
    with caplog.at_level(logging.INFO, logger="claude_carthing.alerts"):
        alerts._handle(snap(85, 3 * 3600), new_read=True)
    [event] = alerts.delivered
    [line] = [r.getMessage() for r in caplog.records if event.title in r.getMessage()]
    title_at = line.index(event.title) + len(event.title)
    between = line[title_at:line.index(event.body)]
    assert between.strip(), f"title and body run together: {line!r}"
    assert any(mark in between for mark in (":", "—", "|", "."))


def test_notifications_off_is_said_once(monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "desktop_notifier", None)  # not installed
    shower = DesktopNotifications()
    with caplog.at_level(logging.INFO, logger="claude_carthing.alerts"):
        assert not shower.show(Event("login", "Claude usage: login needed", "b", "critical"))
        assert not shower.show(Event("stale", "Claude usage: no fresh numbers", "b"))
    about = [r.getMessage() for r in caplog.records if "otification" in r.getMessage()]
    assert len(about) == 1, about
    assert 'pip install "claude-carthing[notify]"' in about[0]
