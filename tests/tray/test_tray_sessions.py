"""The tray tooltip says which Claude Code session waits for you (real icon under Xvfb)."""

from __future__ import annotations

import json
import re
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


def tooltip(screen: TrayDisplay, starts: str, timeout: float = 20, last: str = "") -> str:
    """Wait for a tooltip whose first line starts with `starts` and last line with `last`."""
    deadline = time.monotonic() + timeout
    tip = ""
    while time.monotonic() < deadline:
        tip = find_window(screen.display, WM_CLASS).get_wm_name() or ""
        if tip.startswith(starts) and tip.splitlines()[-1].startswith(last):
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
            tooltip(x_tray, "Claude usage", last="my-project: working")
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


def test_the_tooltip_keeps_the_time_a_session_has_been_working_current(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream, monkeypatch) -> None:
    from claude_carthing.tray import app

    monkeypatch.setattr(app, "TOOLTIP_REFRESH_S", 0.5)  # 20 s in use
    fake_upstream.set_usage(usage_payload(30, weekly=12))
    skew = [0.0]
    with LiveServer(upstream=fake_upstream, clock=lambda: time.time() + skew[0]) as server:
        running = RunningTray(server, x_tray)
        try:
            wait_for_icon(x_tray, "30", "green")
            started = time.monotonic()
            hook({"hook_event_name": "UserPromptSubmit", "session_id": "s1",
                  "cwd": "/home/ann/my-project"})
            # Seconds since the server heard the prompt: no more than have passed here (under
            # load the first tooltip may come a few seconds late, so not always "0 s").
            tip = tooltip(x_tray, "Claude usage", last="my-project: working for ")
            seconds = re.fullmatch(r"my-project: working for (\d+) s", tip.splitlines()[-1])
            assert seconds, tip
            assert int(seconds[1]) <= time.monotonic() - started + 1, tip
            skew[0] = 185.0  # three minutes later, with no event and no read in between
            tooltip(x_tray, "Claude usage", timeout=10, last="my-project: working for 3 min")
        finally:
            running.stop()
