"""What `serve` keeps in memory: the code it needs, not the CLI's other commands' libraries.

The goal is `serve` with polling at 50 MiB RSS or less (docs/performance.md has the figure,
`bench/idle_bench.py` measures it). Each library below is megabytes that a serving process
would keep for nothing; the first test runs what the lean `serve` process runs (a read that
crosses a threshold, and its alert) in a fresh interpreter and looks at what was loaded; the
second checks that `claude-carthing serve` really becomes that process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import free_port

NOT_FOR_SERVING = {
    "typer": "the command line: it parsed the options in the process `serve` replaced",
    "pydantic": "typer's option coercion",
    "claude_carthing.cli": "the other commands",
    "claude_carthing.usb": "`usb-setup`",
    "claude_carthing.autostart": "`autostart`",
    "keyring": "the OS keyring: only a claude.ai login stored on this PC lives there",
}

SCRIPT = r"""
import json, sys
import claude_carthing.serve_main  # what the lean `serve` process runs
from claude_carthing.service import build_service
from claude_carthing.settings import load_settings
url = sys.argv[1]
service = build_service(load_settings(api_url=url, web_url=url, timeout=5.0,
                                      notify="on", host="127.0.0.1"))
service.alerts.start()
snap = service.poller.poll_once()
service.alerts.drain()
print(json.dumps({"state": snap.state, "events": [e.kind for e in service.alerts.delivered],
                  "modules": sorted(sys.modules)}))
service.close()
"""


def test_serving_loads_no_library_only_other_commands_need(
        fake_upstream: FakeUpstream) -> None:
    creds.write_oauth()  # a Claude Code login, no claude.ai login
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    out = subprocess.run([sys.executable, "-c", SCRIPT, fake_upstream.url], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    seen = json.loads(out.splitlines()[-1])
    assert seen["state"] == "live"
    assert "threshold" in seen["events"]  # the alert path ran too (Fable at 81 %)
    loaded = {name: why for name, why in NOT_FOR_SERVING.items()
              if any(m == name or m.startswith(name + ".") for m in seen["modules"])}
    assert loaded == {}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux)")
def test_serve_runs_without_the_command_lines_libraries(fake_upstream: FakeUpstream) -> None:
    creds.write_oauth()
    port = free_port()
    env = {**os.environ, "CLAUDE_CARTHING_API_URL": fake_upstream.url,
           "CLAUDE_CARTHING_WEB_URL": fake_upstream.url}
    proc = subprocess.Popen([sys.executable, "-m", "claude_carthing", "serve", "--host",
                             "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        health: dict = {}
        while time.monotonic() < deadline and health.get("state") != "live":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    health = json.loads(r.read())
            except OSError:
                pass
            time.sleep(0.1)
        assert health.get("state") == "live"
        # The same process (same pid: a service manager keeps track of it), now running only
        # the server: typer and pydantic, which parsed the options, are gone from its memory.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"claude_carthing.serve_main" in cmdline
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "pydantic_core" not in maps
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        # uvicorn finishes the graceful shutdown, then re-raises SIGTERM (the usual status)
        assert proc.returncode in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in err and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_port_in_use_is_still_said_in_one_line_with_its_exit_code() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "claude_carthing", "serve", "--host",
                               "127.0.0.1", "--port", str(port)], capture_output=True,
                              text=True, timeout=60, check=False)
    assert done.returncode == 6
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
