"""Several accounts end to end: the real Claude Code 2.1.332, run with another account's
`CLAUDE_CONFIG_DIR`, feeds that account's numbers and sessions, never the default account's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from claude_carthing import accounts
from tests.claude_code.test_real_claude import get, wait_for
from tests.support import real_claude
from tests.support.fake_messages import FakeMessages
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.claude_code
EXE = Path(sys.executable).with_name("claude-carthing")


def test_claude_code_of_another_folder_feeds_that_account(tmp_path: Path) -> None:
    claude = real_claude.binary()
    project = tmp_path / "work-project"
    project.mkdir()
    work_dir = tmp_path / "claude-work"
    real_claude.prepare_config(work_dir, project)
    accounts.rename("default", "personal")
    accounts.add("work", work_dir)
    with FakeMessages(five_hour=0.37, seven_day=0.52, delay_s=1.0) as api, \
            LiveServer(source=None) as server:
        env_install = {**os.environ, "CLAUDE_CONFIG_DIR": str(work_dir)}
        installed = subprocess.run([str(EXE), "claude-code", "install"], capture_output=True,
                                   text=True, timeout=60, check=False, env=env_install)
        assert installed.returncode == 0, installed.stderr
        assert "statusLine" in json.loads((work_dir / "settings.json").read_text())
        env = real_claude.environment(work_dir, api.url, tmp_path)
        child = pexpect.spawn(str(claude), ["--permission-mode", "default"], cwd=str(project),
                              env=env, dimensions=(40, 140), encoding="utf-8",
                              codec_errors="replace", timeout=60)
        try:
            def session() -> Any:
                found = get(server.url + "/api/sessions")["sessions"]
                return found[0] if found else None

            started = wait_for(session, 60, "no SessionStart reached the server")
            assert started["account"] == "work"  # the hook said whose Claude Code it is
            time.sleep(1.0)
            child.send("say hello")
            time.sleep(0.5)
            child.send("\r")

            def fed() -> Any:
                doc = get(server.url + "/usage?account=work")
                return doc if doc["meta"]["source"] == "statusline" else None

            work = wait_for(fed, 40, "no status line reading reached work's /usage")
            assert work["five_hour"]["utilization"] == 37
            assert work["seven_day"]["utilization"] == 52
            personal = get(server.url + "/usage")
            assert personal["meta"]["account"] == "personal"
            assert personal["five_hour"] is None and personal["meta"]["source"] != "statusline"
        finally:
            child.terminate(force=True)
