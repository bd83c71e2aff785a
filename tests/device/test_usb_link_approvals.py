"""Approvals on the Car Thing itself, over the emulated USB link, after a real `deploy` (issue 19).

As tests/device/test_usb_link.py: the PC namespace runs the fake Claude and `claude-carthing
serve` on its defaults, the device namespace runs the emulated Car Thing; `deploy` writes the
kiosk URL (with the approvals secret) into the device's own launch file, and the kiosk's
recorded argv is run in the device's own engine (Chromium 69 for v3 and v4.0, Debian's Chromium
for v4.1), changed only as that file's docstring lists. The real `claude-carthing hook
--approve` runs in the PC namespace, as Claude Code would start it there, and the dial's keys
are pressed in the kiosk:

- the press (Enter) makes the hook print the allow JSON, back (Escape) the deny JSON;
- with no answer, the hook prints nothing once `approval_timeout` is over (no decision);
- a later event of the session (the request answered in the terminal) takes the card away
  within 2 s, and the hook prints nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.claude_code.test_approve import ALLOW, REQUEST
from tests.device.emulator import EmulatedDevice
from tests.device.test_usb_link import (
    DEBIAN_CHROMIUM,
    LIVE,
    UpstreamIn,
    deploy,
    headless_argv,
    link,
    serve,
)
from tests.support.chromium69 import Chromium69
from tests.support.netns import Link

pytestmark = [pytest.mark.ssh, pytest.mark.busybox, pytest.mark.netns, pytest.mark.chromium69]
__all__ = ["link"]  # the fixture, used by name
EXE = Path(sys.executable).with_name("claude-carthing")
APPROVAL_TIMEOUT_S = 10  # the setting's smallest value
SHOWN = "document.getElementById('approval') && !document.getElementById('approval').hidden"
GONE = "document.getElementById('approval') && document.getElementById('approval').hidden"
CARD_TEXT = "document.querySelector('.ap-text').textContent"


def hook_in(link: Link, args: list[str], event: dict[str, Any]) -> subprocess.Popen[str]:
    """Start `claude-carthing hook ARGS` in the PC namespace with `event` on its stdin."""
    proc: subprocess.Popen[str] = link.popen("pc", [str(EXE), "hook", *args],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(event))
    proc.stdin.close()
    proc.stdin = None
    return proc


def output(proc: subprocess.Popen[str], timeout: float) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0 and err == "", (proc.returncode, err)
    return out


@pytest.mark.parametrize("variant", ["v3", "v4.0.7", "v4.1"])
def test_the_kiosk_allows_denies_times_out_and_follows_the_terminal(
        make_device: Callable[..., EmulatedDevice], link: Link, variant: str,
        chromium69_binary: Path) -> None:
    upstream = UpstreamIn(link.pc_ns).start()
    try:
        # What a user does: the shortest approval timeout, then serve, then deploy.
        done = link.run("pc", [sys.executable, "-m", "claude_carthing", "config", "set",
                               "approval_timeout", str(APPROVAL_TIMEOUT_S)])
        assert done.returncode == 0, done.stderr
        serve(link, upstream)
        device = make_device(variant, netns=link.device_ns, listen=link.device_ip)
        deploy(link, variant)
        device.wait_for(lambda: (device.browser_url() or "").startswith("file://"),
                        "the kiosk on the page")
        assert "key=" in (device.browser_url() or "")  # deploy gave the kiosk the secret
        flags, url = headless_argv(device.browser_argv())
        binary = DEBIAN_CHROMIUM if variant == "v4.1" else chromium69_binary
        browser = Chromium69(url, flags, netns=link.device_ns,
                             binary=device.browser_wrapper(binary), start_timeout=90)
        with browser:
            page = browser.page
            page.call("Runtime.enable")  # uncaught exceptions arrive as events
            page.wait_for(LIVE, timeout=45)

            # The dial's press allows exactly this request.
            proc = hook_in(link, ["--approve"], REQUEST)
            page.wait_for(SHOWN, timeout=10)
            assert page.evaluate(CARD_TEXT) == "rm -rf node_modules"
            time.sleep(0.7)  # the grace time: only a press after it counts
            page.key("Enter")
            assert json.loads(output(proc, 10)) == ALLOW
            page.wait_for(GONE, timeout=5)

            # Back denies, and says where.
            proc = hook_in(link, ["--approve"], REQUEST)
            page.wait_for(SHOWN, timeout=10)
            time.sleep(0.7)
            page.key("Escape")
            decision = json.loads(output(proc, 10))["hookSpecificOutput"]["decision"]
            assert decision["behavior"] == "deny" and "Car Thing" in decision["message"]
            page.wait_for(GONE, timeout=5)

            # Answered in the terminal: the session moves on, the card goes within 2 s.
            proc = hook_in(link, ["--approve"], REQUEST)
            page.wait_for(SHOWN, timeout=10)
            output(hook_in(link, [], {"hook_event_name": "PostToolUse", "cwd": REQUEST["cwd"],
                                      "session_id": REQUEST["session_id"],
                                      "tool_name": "Bash"}), 10)
            moved = time.monotonic()
            page.wait_for(GONE, timeout=4)
            assert time.monotonic() - moved < 2.0
            assert output(proc, 10) == ""  # no decision: the terminal's answer stands

            # Nobody answers: no decision once approval_timeout is over, and the card goes.
            started = time.monotonic()
            proc = hook_in(link, ["--approve"], REQUEST)
            page.wait_for(SHOWN, timeout=10)
            assert output(proc, APPROVAL_TIMEOUT_S + 15) == ""
            assert time.monotonic() - started >= APPROVAL_TIMEOUT_S - 1
            page.wait_for(GONE, timeout=5)
            errors = [e for e in page.events if e["method"] == "Runtime.exceptionThrown"]
            assert not errors, errors
    finally:
        upstream.stop()
