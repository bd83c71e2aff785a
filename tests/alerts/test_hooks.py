"""The hook command: a real script gets each event as JSON on stdin and in its environment."""

from __future__ import annotations

import json
import logging
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
