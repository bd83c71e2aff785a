"""The hook command: a real script gets each event as JSON on stdin and in its environment."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from claude_carthing.alerts.events import Event
from claude_carthing.alerts.hooks import run_hook
from tests.alerts.conftest import usage_payload
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer

RECORDER = """
import json, os, sys
names = [n for n in os.environ if n.startswith("CLAUDE_CARTHING_") and n != "CLAUDE_CARTHING_HOME"]
record = {"stdin": json.loads(sys.stdin.read()), "env": {n: os.environ[n] for n in names}}
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps(record) + "\\n")
"""


def recorded(path: Path) -> list[dict[str, Any]]:
    """Return what the hook script wrote, one entry per run."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def settle(server: LiveServer) -> None:
    """Wait for the first snapshot to be handled."""
    deadline = time.monotonic() + 15
    while server.service.alerts.handled < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.service.alerts.drain()


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[list[str], Path]:
    """A hook command (a real script) and the file it records to."""
    script = tmp_path / "hook.py"
    script.write_text(RECORDER, encoding="utf-8")
    out = tmp_path / "hook-runs.jsonl"
    return [sys.executable, str(script), str(out)], out


def test_the_hook_gets_each_event_once_on_stdin_and_in_its_environment(
        fake_upstream: FakeUpstream, recorder: tuple[list[str], Path]) -> None:
    argv, out = recorder
    fake_upstream.set_usage(usage_payload(50))
    with LiveServer(upstream=fake_upstream, settings={"hook": argv, "notify": "off"}) as server:
        settle(server)
        assert recorded(out) == []
        fake_upstream.set_usage(usage_payload(83))
        server.poller.poll_once()
        server.poller.poll_once()
        server.service.alerts.drain()
    runs = recorded(out)
    assert len(runs) == 1
    env, stdin = runs[0]["env"], runs[0]["stdin"]
    assert env["CLAUDE_CARTHING_EVENT"] == "threshold" == stdin["event"]
    assert env["CLAUDE_CARTHING_WINDOW"] == "five_hour" == stdin["window"]
    assert env["CLAUDE_CARTHING_PERCENT"] == "83" and stdin["percent"] == 83
    assert env["CLAUDE_CARTHING_RESETS_AT"] == stdin["resets_at"]
    assert stdin["resets_at"].startswith("20")
    assert stdin["threshold"] == 80 and stdin["title"] == "Claude 5-hour limit at 83 %"
    assert stdin["usage"]["five_hour"]["utilization"] == 83  # the whole /usage document


def test_hook_on_reads_runs_after_every_successful_read(
        fake_upstream: FakeUpstream, recorder: tuple[list[str], Path]) -> None:
    argv, out = recorder
    fake_upstream.set_usage(usage_payload(20, weekly=35))
    settings = {"hook": argv, "hook_on": "reads", "notify": "off"}
    with LiveServer(upstream=fake_upstream, settings=settings) as server:
        settle(server)
        server.poller.poll_once()
        fake_upstream.fail_with("server_500")
        server.poller.poll_once()  # a failed read is no read event
        server.service.alerts.drain()
    runs = recorded(out)
    assert [r["env"]["CLAUDE_CARTHING_EVENT"] for r in runs] == ["read", "read"]
    assert runs[0]["stdin"]["window"] == "seven_day"  # the worst window
    assert runs[0]["env"]["CLAUDE_CARTHING_PERCENT"] == "35"


def test_a_failing_slow_or_missing_hook_is_logged_never_fatal(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    event = Event("login", "Claude usage: login needed", "Log in again.", "critical")
    failing = [sys.executable, "-c", "import sys; print('no route to ntfy', file=sys.stderr); "
               "sys.exit(3)"]
    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    missing = [str(tmp_path / "no-such-program")]
    with caplog.at_level(logging.WARNING):
        assert not run_hook(failing, event, None, timeout=10)
        started = time.monotonic()
        assert not run_hook(slow, event, None, timeout=0.5)
        assert time.monotonic() - started < 10
        assert not run_hook(missing, event, None, timeout=5)
    lines = [r.getMessage() for r in caplog.records]
    assert any("failed (exit 3)" in line and "no route to ntfy" in line for line in lines)
    assert any("took longer than 0.5 s" in line for line in lines)
    assert any("could not run" in line for line in lines)


def test_hook_settings_are_checked() -> None:
    from claude_carthing.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="hook_on"):
        load_settings(hook_on="sometimes")
    with pytest.raises(SettingsError, match="hook_timeout"):
        load_settings(hook_timeout=0)
    with pytest.raises(SettingsError, match="notify_thresholds"):
        load_settings(notify_thresholds="80,abc")
    with pytest.raises(SettingsError, match="setting notify:"):
        load_settings(notify="loud")
    assert load_settings(notify_thresholds="95,70").threshold_levels() == (70.0, 95.0)


# --- the hook's environment and its processes ---------------------------------------------------

FAKE_SESSION_KEY = "sk-ant-sid01-FAKE-canary-session-0000"
FAKE_OAUTH_TOKEN = "sk-ant-oat01-FAKE-canary-token-0000"
LOGIN = Event("login", "Claude usage: login needed", "Log in again.", "critical")


def test_a_hook_never_sees_our_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_CARTHING_SESSION_KEY", FAKE_SESSION_KEY)
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", FAKE_OAUTH_TOKEN)
    monkeypatch.setenv("KEEP_ME", "yes")
    out = tmp_path / "env.json"
    printer = [sys.executable, "-c",
               "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))",
               str(out)]
    assert run_hook(printer, LOGIN, None, timeout=10)
    env = json.loads(out.read_text(encoding="utf-8"))
    assert "CLAUDE_CARTHING_SESSION_KEY" not in env and "CLAUDE_CODE_OAUTH_TOKEN" not in env
    assert FAKE_SESSION_KEY not in json.dumps(env) and FAKE_OAUTH_TOKEN not in json.dumps(env)
    assert env["KEEP_ME"] == "yes" and env["CLAUDE_CARTHING_EVENT"] == "login"


SPAWNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(37)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(float(sys.argv[2]))
"""


def _grandchild(pid_file: Path) -> int:
    deadline = time.monotonic() + 10
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return int(pid_file.read_text())


@pytest.mark.skipif(sys.platform == "win32", reason="process ids and /proc")
def test_a_hook_timeout_ends_its_grandchildren_too(tmp_path: Path) -> None:
    from tests.support.fake_claude import alive, wait_gone

    pid_file = tmp_path / "grandchild.pid"
    argv = [sys.executable, "-c", SPAWNER, str(pid_file), "30"]
    assert not run_hook(argv, LOGIN, None, timeout=1.5)
    grandchild = _grandchild(pid_file)
    try:
        wait_gone(grandchild, seconds=5)
    finally:
        if alive(grandchild):
            os.kill(grandchild, 9)


@pytest.mark.skipif(sys.platform == "win32", reason="process ids and /proc")
def test_a_background_child_holding_the_output_does_not_hold_up_a_hook(tmp_path: Path) -> None:
    from tests.support.fake_claude import alive

    pid_file = tmp_path / "grandchild.pid"
    argv = [sys.executable, "-c", SPAWNER, str(pid_file), "0"]  # exits at once, child stays
    started = time.monotonic()
    try:
        assert run_hook(argv, LOGIN, None, timeout=20)
        assert time.monotonic() - started < 5
    finally:
        grandchild = _grandchild(pid_file)
        if alive(grandchild):
            os.kill(grandchild, 9)


def test_a_value_no_environment_can_hold_is_a_logged_failure_not_a_crash(
        caplog: pytest.LogCaptureFixture) -> None:
    # Whatever slips past the parser (a NUL byte, a lone surrogate) must not escape run_hook.
    for title in ("Claude \x00 limit", "Claude \ud800 limit"):
        event = Event("threshold", title, "body", "normal", window="five_hour")
        with caplog.at_level(logging.WARNING):
            assert not run_hook([sys.executable, "-c", "pass"], event, None, timeout=10)
    assert sum("could not run" in r.getMessage() for r in caplog.records) == 2
