"""Issue 20: with several accounts every notification, hook run and waiting alert says whose
numbers it is about; with one account nothing changes."""

from __future__ import annotations

import sys
from pathlib import Path

from claude_carthing import accounts, errors
from claude_carthing.account_scope import using
from claude_carthing.alerts import store
from claude_carthing.alerts.dispatch import Alerts
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.claude_code.waiting_alert import WaitingAlerts
from claude_carthing.settings import load_settings
from tests.alerts.test_hooks import RECORDER, recorded
from tests.support.accounts import Scripted, read_all, wait_for_every_account
from tests.support.clock import Clock
from tests.support.live_server import LiveServer
from tests.support.session_bus import StandInNotifications
from tests.support.shown import Recorder

EXPIRED = errors.SessionExpiredError("the claude.ai session expired")


def test_each_notification_names_its_account(notifications: StandInNotifications) -> None:
    work_account = accounts.add("work")
    mine, work = Scripted(50), Scripted(20)
    with LiveServer(source=None, sources={"default": mine, "work": work}) as server:
        wait_for_every_account(server.service)
        assert notifications.received() == []
        mine.set(83)
        work.fail(EXPIRED)
        read_all(server.service)
        got = notifications.wait_for(2)
        # Each account remembers what it announced, in its own folder: a restart is silent.
        server.stop()
        server.start()
        wait_for_every_account(server.service)
        read_all(server.service)
        assert len(notifications.wait_for(3, timeout=2)) == 2
    shown = {n["summary"]: n["body"] for n in got}
    assert sorted(shown) == ["default: Claude 5-hour limit at 83 %",
                             "work: Claude usage: login needed"]
    # The way back in is the account's own login, not the default's.
    assert "claude-carthing login --account work" in shown["work: Claude usage: login needed"]
    with using(work_account):
        assert store.state_file().is_file()


def test_a_hook_gets_the_account_in_its_json_environment_and_usage(tmp_path: Path) -> None:
    accounts.add("work")
    script = tmp_path / "hook.py"
    script.write_text(RECORDER, encoding="utf-8")
    out = tmp_path / "hook-runs.jsonl"
    mine, work = Scripted(50), Scripted(20)
    settings = {"hook": [sys.executable, str(script), str(out)], "notify": "off"}
    with LiveServer(source=None, sources={"default": mine, "work": work},
                    settings=settings) as server:
        wait_for_every_account(server.service)
        mine.set(83)
        work.set(91)
        read_all(server.service)
    runs = {run["stdin"]["account"]: run for run in recorded(out)}
    assert sorted(runs) == ["default", "work"]
    for name, percent in (("default", 83), ("work", 91)):
        stdin, env = runs[name]["stdin"], runs[name]["env"]
        assert env["CLAUDE_CARTHING_ACCOUNT"] == name
        assert stdin["title"] == f"{name}: Claude 5-hour limit at {percent} %"
        assert stdin["percent"] == percent
        # The usage document is that account's own, and says so.
        assert stdin["usage"]["five_hour"]["utilization"] == percent
        assert stdin["usage"]["meta"]["account"] == name


def test_with_one_account_the_hook_gets_a_null_account(tmp_path: Path) -> None:
    script = tmp_path / "hook.py"
    script.write_text(RECORDER, encoding="utf-8")
    out = tmp_path / "hook-runs.jsonl"
    mine = Scripted(50)
    settings = {"hook": [sys.executable, str(script), str(out)], "notify": "off"}
    with LiveServer(source=None, sources={"default": mine}, settings=settings) as server:
        wait_for_every_account(server.service)
        mine.set(83)
        read_all(server.service)
    [run] = recorded(out)
    assert run["stdin"]["account"] is None and run["env"]["CLAUDE_CARTHING_ACCOUNT"] == ""
    assert run["stdin"]["title"] == "Claude 5-hour limit at 83 %"
    assert "account" not in run["stdin"]["usage"]["meta"]


def test_the_waiting_alert_names_the_sessions_account() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    shower = Recorder()
    alerts = Alerts(load_settings(), clock=clock, shower=shower, account="default")
    waiting = WaitingAlerts(sessions, alerts, 2, clock)
    # The server adds the account of the Claude Code that sent a hook (several accounts only).
    sessions.on_hook({"hook_event_name": "PermissionRequest", "session_id": "w",
                      "project": "payroll", "account": "work"})
    sessions.on_hook({"hook_event_name": "PermissionRequest", "session_id": "n",
                      "project": "no-account"})
    clock.now += 121
    events = waiting.check()
    assert sorted(e.title for e in events) == ["no-account is waiting for you",
                                               "work: payroll is waiting for you"]
    assert {e.account for e in shower.shown} == {"work", None}
