"""Where the sessions show outside the page: `status`, the waiting notification, `doctor`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claude_carthing.alerts.dispatch import Alerts
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.claude_code.settings_install import install
from claude_carthing.claude_code.waiting_alert import WaitingAlerts
from claude_carthing.cli import app
from claude_carthing.settings import SettingsError, load_settings, set_setting
from tests.support.clock import Clock
from tests.support.live_server import LiveServer
from tests.support.shown import Recorder

EXE = Path(sys.executable).with_name("claude-carthing")


def hook(event: dict[str, str]) -> None:
    subprocess.run([str(EXE), "hook"], input=json.dumps(event), text=True, check=True,
                   timeout=30)


def test_status_lists_the_sessions_waiting_first() -> None:
    with LiveServer(source=None) as server:
        hook({"hook_event_name": "UserPromptSubmit", "session_id": "a", "cwd": "/w/busy-one"})
        hook({"hook_event_name": "Notification", "session_id": "b", "cwd": "/w/my-project",
              "notification_type": "idle_prompt"})
        result = CliRunner().invoke(app, ["status", "--port", str(server.port)],
                                    env={"COLUMNS": "120"})
    lines = result.output.splitlines()
    assert "Claude Code sessions" in lines, result.output
    start = lines.index("Claude Code sessions")
    assert lines[start + 1].startswith("my-project is waiting for your input")
    assert lines[start + 2].startswith("busy-one: working")


def test_a_long_wait_is_announced_once() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    shower = Recorder()
    settings = load_settings(notify_waiting_minutes=2)
    alerts = Alerts(settings, clock=clock, shower=shower)
    waiting = WaitingAlerts(sessions, alerts, settings.notify_waiting_minutes, clock)
    sessions.on_hook({"hook_event_name": "PermissionRequest", "session_id": "s",
                      "project": "my-project"})
    clock.now += 119
    assert waiting.check() == []
    clock.now += 2
    [event] = waiting.check()
    assert event.title == "my-project is waiting for you"
    assert "permission" in event.body
    assert waiting.check() == [] and len(shower.shown) == 1  # once per wait
    sessions.on_hook({"hook_event_name": "Stop", "session_id": "s"})
    sessions.on_hook({"hook_event_name": "Notification", "session_id": "s",
                      "notification_type": "idle_prompt"})
    clock.now += 121
    assert len(waiting.check()) == 1  # a new wait is a new announcement


def test_zero_minutes_never_announces() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    shower = Recorder()
    alerts = Alerts(load_settings(), clock=clock, shower=shower)
    waiting = WaitingAlerts(sessions, alerts, 0, clock)
    sessions.on_hook({"hook_event_name": "PermissionRequest", "session_id": "s"})
    clock.now += 86400
    assert waiting.check() == [] and shower.shown == []


@pytest.mark.parametrize("value", ["-1", "1441", "two"])
def test_the_waiting_setting_is_checked(value: str) -> None:
    with pytest.raises(SettingsError, match="notify_waiting_minutes"):
        set_setting("notify_waiting_minutes", value)


def test_doctor_checks_the_installation() -> None:
    result = CliRunner().invoke(app, ["doctor", "--json", "--no-live"])
    checks = {c["name"]: c for c in json.loads(result.output)["checks"]}
    assert checks["Claude Code connection"]["status"] == "warn"
    install(str(EXE))
    result = CliRunner().invoke(app, ["doctor", "--json", "--no-live"])
    checks = {c["name"]: c for c in json.loads(result.output)["checks"]}
    assert checks["Claude Code connection"]["status"] == "ok", checks["Claude Code connection"]
    moved = Path(os.environ["CLAUDE_CONFIG_DIR"]) / "settings.json"
    data = json.loads(moved.read_text())
    for groups in data["hooks"].values():
        for group in groups:
            for handler in group["hooks"]:
                handler["command"] = "/nowhere/claude-carthing"
    moved.write_text(json.dumps(data))
    result = CliRunner().invoke(app, ["doctor", "--json", "--no-live"])
    check = {c["name"]: c for c in json.loads(result.output)["checks"]}["Claude Code connection"]
    assert check["status"] == "fail" and "/nowhere/claude-carthing" in check["summary"]


def test_watch_lists_the_sessions() -> None:
    from claude_carthing import watch
    from tests.setup.test_watch import text_of

    now = 1_800_000_000_000
    doc = {"windows": [], "meta": {"server_time_ms": now},
           "sessions": [{"session_id": "a", "project": "my-project", "state": "waiting",
                         "since_ms": now - 125_000, "waiting_for": "permission",
                         "model": "Opus 4.5", "context_pct": 42, "last_failure": None}]}
    shown = text_of(watch.render(doc, {}, now, "test"))
    assert "Claude Code sessions" in shown
    assert "my-project is waiting for your permission (2 min) · Opus 4.5 · context 42 %" in shown


def test_the_server_tells_the_hot_commands_where_it_listens_while_it_runs() -> None:
    from claude_carthing.claude_code import endpoint

    with LiveServer(source=None) as server:
        assert endpoint.read() == ("127.0.0.1", server.port)
    assert not Path(endpoint.endpoint_file()).exists()


def test_a_status_line_reading_over_a_threshold_is_announced_at_once(tmp_path: Path) -> None:
    from claude_carthing.alerts.observed import ObservedPoller
    from claude_carthing.claude_code.readings import windows_from_statusline

    class NoSource:
        name = "none"

        def read(self) -> None:
            raise AssertionError("no upstream read in this test")

        def close(self) -> None:
            pass

    clock = Clock()
    shower = Recorder()
    alerts = Alerts(load_settings(), clock=clock, shower=shower,
                    state_path=tmp_path / "announced.json")
    poller = ObservedPoller(NoSource(), clock=clock, monotonic=clock)  # type: ignore[arg-type]
    poller.reading_listeners.append(alerts.observe)
    poller.listeners.append(lambda snap: pytest.fail("a reading is not an upstream read"))
    alerts.start()
    try:
        limits = {"five_hour": {"used_percentage": 85.0, "resets_at": clock.now + 3600}}
        assert poller.take_local(windows_from_statusline(limits, clock.now), clock.now,
                                 "statusline")
        alerts.drain()
    finally:
        alerts.stop()
    assert [e.kind for e in shower.shown] == ["threshold"]
    assert shower.shown[0].title == "Claude 5-hour limit at 85 %"
