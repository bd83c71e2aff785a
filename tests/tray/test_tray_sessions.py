"""The tray tooltip says which Claude Code session waits for you (real icon under Xvfb)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.alerts.conftest import usage_payload
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer
from tests.support.xdisplay import TrayDisplay, find_window
from tests.tray.test_tray_icon import WM_CLASS, RunningTray, wait_for_icon, x_tray

__all__ = ["x_tray"]  # the fixture, used by name
EXE = Path(sys.executable).with_name("claude-carthing")


def hook(event: dict[str, str]) -> None:
    subprocess.run([str(EXE), "hook"], input=json.dumps(event), text=True, check=True,
                   timeout=30)


def tooltip(screen: TrayDisplay, starts: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    tip = ""
    while time.monotonic() < deadline:
        tip = find_window(screen.display, WM_CLASS).get_wm_name() or ""
        if tip.startswith(starts):
            return tip
        time.sleep(0.1)
    raise AssertionError(f"tooltip is {tip!r}")


def test_the_tooltip_names_a_waiting_session_first(x_tray: TrayDisplay,
                                                    fake_upstream: FakeUpstream) -> None:
    fake_upstream.set_usage(usage_payload(30, weekly=12))
    with LiveServer(upstream=fake_upstream) as server:
        running = RunningTray(server, x_tray)
        try:
            wait_for_icon(x_tray, "30", "green")
            hook({"hook_event_name": "UserPromptSubmit", "session_id": "s1",
                  "cwd": "/home/ann/my-project"})
            tip = tooltip(x_tray, "Claude usage")
            assert tip.splitlines()[-1].startswith("my-project: working")
            hook({"hook_event_name": "PermissionRequest", "session_id": "s1",
                  "cwd": "/home/ann/my-project", "tool_name": "Bash"})
            try:
                tip = tooltip(x_tray, "my-project is waiting for your permission")
            except AssertionError as exc:
                raise AssertionError(f"{exc}; heard {server.service.sessions.heard}, "
                                     f"sessions {server.service.sessions.to_json()}") from None
            assert tip.splitlines()[1] == "Claude usage"
        finally:
            running.stop()
