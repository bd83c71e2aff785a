"""End to end with the real Claude Code 2.1.332 in a pseudo-terminal, against a fake Messages
API on loopback: its real status line and hooks drive a real running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.support import real_claude
from tests.support.fake_messages import FakeMessages
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.claude_code
EXE = Path(sys.executable).with_name("claude-carthing")


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def wait_for(what: Callable[[], Any], timeout: float, message: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(message)


def session_states(server: LiveServer, seen: list[str]) -> Callable[[str], Any]:
    def has(state: str) -> Any:
        sessions = get(server.url + "/api/sessions")["sessions"]
        for s in sessions:
            if not seen or seen[-1] != s["state"]:
                seen.append(s["state"])
        return [s for s in sessions if s["state"] == state]
    return has


@pytest.fixture
def setup(tmp_path: Path) -> Any:
    claude = real_claude.binary()
    project = tmp_path / "my-project"
    project.mkdir()
    config = Path(os.environ["CLAUDE_CONFIG_DIR"])
    real_claude.prepare_config(config, project)
    return claude, project, config


def test_real_claude_code_feeds_usage_and_sessions(setup: Any, tmp_path: Path) -> None:
    claude, project, config = setup
    with FakeMessages(five_hour=0.43, seven_day=0.61, delay_s=1.5) as api, \
            LiveServer(source=None) as server:
        installed = subprocess.run([str(EXE), "claude-code", "install"], capture_output=True,
                                   text=True, timeout=60, check=False)
        assert installed.returncode == 0, installed.stderr
        settings = json.loads((config / "settings.json").read_text())
        assert settings["statusLine"]["command"].startswith(str(EXE))
        env = real_claude.environment(config, api.url, tmp_path)
        child = pexpect.spawn(str(claude), ["--permission-mode", "default"], cwd=str(project),
                              env=env, dimensions=(40, 140), encoding="utf-8",
                              codec_errors="replace", timeout=60)
        seen: list[str] = []
        has = session_states(server, seen)
        try:
            started = wait_for(lambda: has("idle"), 60, "no SessionStart reached the server")
            assert started[0]["project"] == "my-project"
            time.sleep(1.0)
            child.send("say hello")
            time.sleep(0.5)
            child.send("\r")
            wait_for(lambda: has("working"), 30, f"no working state; seen {seen}")
            def fed() -> Any:
                doc = get(server.url + "/usage")
                return doc if doc["meta"]["source"] == "statusline" else None

            usage = wait_for(fed, 30, "no status line reading reached /usage")
            assert usage["five_hour"]["utilization"] == 43
            assert usage["seven_day"]["utilization"] == 61
            wait_for(lambda: has("idle") and seen[-1] == "idle", 30, f"no Stop; seen {seen}")
            # A command needing permission: PermissionRequest, then Notification about 6 s on.
            api.tool_command = "rm -rf build-output-of-the-test"
            child.send("clean the build")
            time.sleep(0.5)
            child.send("\r")
            waiting = wait_for(lambda: has("waiting"), 40, f"never waiting; seen {seen}")
            assert waiting[0]["waiting_for"] == "permission"
            wait_for(lambda: server.service.sessions.heard.get("Notification"), 30,
                     "no Notification hook")
            assert has("waiting"), "the Notification kept it waiting"
            child.send("\r")  # "1. Yes": the command runs, Claude answers and stops
            wait_for(lambda: has("idle") and seen[-1] == "idle", 40,
                     f"never idle after the approval; seen {seen}")
            assert seen[-2] == "working", seen  # the approval put it back to work
            assert {"idle", "working", "waiting"} <= set(seen)
        finally:
            child.terminate(force=True)
