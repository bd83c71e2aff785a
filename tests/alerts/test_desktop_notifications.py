"""Desktop notifications for real on Linux: a private session bus and a recording stand-in."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any

import pytest

from claude_carthing.alerts import store
from claude_carthing.alerts.notifier import DesktopNotifications
from claude_carthing.demo import demo_usage
from claude_carthing.settings import Settings
from tests.alerts.conftest import usage_payload
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer
from tests.support.session_bus import StandInNotifications

URGENCY = {"low": 0, "normal": 1, "critical": 2}


def settle(server: LiveServer, handled: int = 1) -> Any:
    """Wait until the alerts thread handled `handled` snapshots; return the Alerts."""
    alerts = server.service.alerts
    deadline = time.monotonic() + 15
    while alerts.handled < handled and time.monotonic() < deadline:
        time.sleep(0.02)
    alerts.drain()
    return alerts


def read(server: LiveServer) -> None:
    """One read now, and everything it brings delivered."""
    server.poller.poll_once()
    server.service.alerts.drain()


def test_each_event_is_shown_once_with_its_words_and_urgency(
        fake_upstream: FakeUpstream, notifications: StandInNotifications) -> None:
    fake_upstream.set_usage(usage_payload(50))
    with LiveServer(upstream=fake_upstream) as server:
        settle(server)
        assert notifications.received() == []  # 50 % is below every threshold

        fake_upstream.set_usage(usage_payload(82))
        read(server)
        read(server)  # same state again: no repeat
        got = notifications.wait_for(1)
        assert len(got) == 1
        assert got[0]["app_name"] == "claude-carthing"
        assert got[0]["summary"] == "Claude 5-hour limit at 82 %"
        assert got[0]["body"].startswith("Crossed 80 %. Resets at ")
        assert got[0]["urgency"] == URGENCY["normal"]

        fake_upstream.set_usage(usage_payload(96))
        read(server)
        got = notifications.wait_for(2)
        assert got[1]["summary"] == "Claude 5-hour limit at 96 %"
        assert got[1]["body"].startswith("Crossed 95 %.")
        assert got[1]["urgency"] == URGENCY["critical"]

        fake_upstream.set_usage(usage_payload(0, resets_in_s=6 * 3600))  # a new 5-hour period
        read(server)
        got = notifications.wait_for(3)
        assert (got[2]["summary"], got[2]["body"]) == ("Claude 5-hour limit reset",
                                                        "Full budget again.")
        assert got[2]["urgency"] == URGENCY["low"]

        fake_upstream.set_usage(usage_payload(40, resets_in_s=6 * 3600, severity="warning"))
        read(server)
        got = notifications.wait_for(4)
        assert got[3]["summary"] == "Claude 5-hour limit at 40 %"
        assert got[3]["body"].startswith("Anthropic marks it warning.")
        read(server)
        assert len(notifications.received()) == 4

        # A restart with the same state announces nothing again.
        server.stop()
        server.start()
        settle(server)
        assert len(notifications.received()) == 4
        assert store.state_file().is_file()


def test_stale_and_login_are_each_shown_once(
        fake_upstream: FakeUpstream, notifications: StandInNotifications) -> None:
    shift = [0.0]
    fake_upstream.set_usage(usage_payload(30))
    with LiveServer(upstream=fake_upstream, clock=lambda: time.time() + shift[0],
                    settings={"notify_stale_minutes": 1}) as server:
        settle(server)
        fake_upstream.fail_with("server_500")
        read(server)
        assert notifications.received() == []  # stale, but not for long yet
        # No read needed: the alerts thread wakes itself when the data turns stale for too long.
        shift[0] = 59.0
        read(server)
        got = notifications.wait_for(1, timeout=10)
        assert len(got) == 1
        assert got[0]["summary"] == "Claude usage: no fresh numbers for 1 min"
        assert "Last good reading at" in got[0]["body"]
        read(server)

        fake_upstream.fail_with("oauth_401")
        read(server)
        read(server)
        got = notifications.wait_for(2)
        assert len(got) == 2
        assert got[1]["summary"] == "Claude usage: login needed"
        assert got[1]["body"].endswith("Log in again (claude-carthing login, or Claude Code's "
                                       "/login).")
        assert got[1]["urgency"] == URGENCY["critical"]


def demo_announcements(now: float) -> list[str]:
    """Return the titles the demo reading at `now` should bring on a first read: each window at
    or past the lowest default threshold, or flagged by Anthropic, once."""
    lowest = Settings().threshold_levels()[0]
    return sorted(f"Claude {w.label} limit at {w.utilization:.0f} %"
                  for w in demo_usage(now).windows
                  if w.utilization >= lowest or w.severity in ("warning", "critical"))


# Moments (UTC) where the demo has one, two and three windows past 80 %: the demo moves with the
# time of day and of the week, so the test pins the server's clock instead of using the hour the
# suite happens to run at.
DEMO_MOMENTS = {
    "sunday-night": datetime(2026, 12, 6, 3, 0, tzinfo=timezone.utc).timestamp(),
    "sunday-afternoon": datetime(2026, 12, 6, 16, 30, tzinfo=timezone.utc).timestamp(),
    "wednesday-evening": datetime(2026, 12, 2, 20, 2, tzinfo=timezone.utc).timestamp(),
}


def test_the_demo_moments_cover_one_to_several_announcements() -> None:
    counts = {name: len(demo_announcements(at)) for name, at in DEMO_MOMENTS.items()}
    assert counts == {"sunday-night": 1, "sunday-afternoon": 2, "wednesday-evening": 2}


@pytest.mark.parametrize(("mode", "moment"), [("on", "wednesday-evening"),
                                              ("demo", "sunday-night"),
                                              ("demo", "sunday-afternoon"),
                                              ("demo", "wednesday-evening")])
def test_demo_data_notifies_only_when_asked(
        notifications: StandInNotifications, mode: str, moment: str) -> None:
    now = DEMO_MOMENTS[moment]
    expected = demo_announcements(now) if mode == "demo" else []
    with LiveServer(demo=True, source=None, settings={"notify": mode},
                    clock=lambda: now) as server:
        settle(server)
        got = notifications.wait_for(len(expected), timeout=3 if not expected else 15)
        assert sorted(n["summary"] for n in got) == expected
        if mode == "demo":  # the demo's Fable window always sits above 80 %
            assert any(t.startswith("Claude Weekly · Fable limit at ") for t in expected)
    assert not store.state_file().exists()  # demo state never mixes with the real one


def test_no_session_bus_is_said_once_and_the_service_carries_on(
        fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    fake_upstream.set_usage(usage_payload(85))
    with caplog.at_level(logging.INFO), LiveServer(upstream=fake_upstream) as server:
        settle(server)
        fake_upstream.set_usage(usage_payload(97))
        read(server)
        assert [e.kind for e in server.service.alerts.delivered] == ["threshold", "threshold"]
        warnings = [r for r in caplog.records if "cannot be shown" in r.getMessage()]
        assert len(warnings) == 1
        assert server.poller.snapshot().usage is not None  # still serving


def test_notifications_come_back_when_a_service_appears(
        monkeypatch: pytest.MonkeyPatch, notifications: StandInNotifications, tmp_path: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    from claude_carthing.alerts.events import Event

    address = __import__("os").environ["DBUS_SESSION_BUS_ADDRESS"]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    shower = DesktopNotifications()
    with caplog.at_level(logging.INFO):
        assert not shower.show(Event("login", "t1", "b1", "critical"))
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        assert shower.show(Event("login", "t2", "b2", "critical"))
    assert [n["summary"] for n in notifications.wait_for(1)] == ["t2"]
    assert any("work again" in r.getMessage() for r in caplog.records)
