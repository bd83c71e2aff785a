"""Child for the home-folder tests, run inside `unshare -m` so it can mount privately.

Usage: python -m tests.resilience.home_child SCENARIO FOLDER
SCENARIO `disk_full`: FOLDER becomes a tiny tmpfs; the history fills it, the service goes on.
SCENARIO `read_only`: FOLDER (an existing home) is bind-mounted read-only; `serve` is started.
Prints one JSON object with what it saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from claude_carthing.models import Usage, Window

RESET = datetime(2030, 1, 1, tzinfo=timezone.utc)


def usage(index: int) -> Usage:
    return Usage((Window("five_hour", "5-hour", "session", float(index % 100), RESET),
                  Window("seven_day", "Weekly", "weekly", 1.0, None)))


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; return it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def disk_full(folder: Path) -> dict[str, Any]:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=True)
    os.environ["CLAUDE_CARTHING_HOME"] = str(folder / "home")
    from claude_carthing import paths
    from claude_carthing.demo import DemoSource
    from claude_carthing.poller import Poller
    from claude_carthing.service import open_history
    from claude_carthing.settings import load_settings

    settings = load_settings()
    out: dict[str, Any] = {}
    history = open_history(settings)
    assert history is not None
    base = 1_800_000_000.0
    for i in range(50):
        history.append(base + i * 300, usage(i))
    out["before"] = history.count()
    filler = fill(folder)
    clock = [base + 50 * 300]
    poller = Poller(DemoSource(lambda: clock[0]), interval=300, history=history,
                    clock=lambda: clock[0])
    states = []
    for _ in range(5):
        clock[0] += 300
        states.append(poller.poll_once().state)
    out["states_while_full"] = states
    filler.unlink()  # space comes back while the same service keeps running
    clock[0] += 300
    poller.poll_once()
    out["after_space_returns"] = history.count()
    filler = fill(folder)
    history.close()
    reopened = open_history(settings)  # a restart while the disk is full again
    out["reopened_while_full"] = reopened is not None
    if reopened is not None:
        reopened.close()
    out["backups_while_full"] = sorted(p.name for p in paths.home_dir().glob("*corrupt*"))
    filler.unlink()
    history = open_history(settings)
    assert history is not None
    out["after_restart"] = history.count()
    out["backups_after"] = sorted(p.name for p in paths.home_dir().glob("*corrupt*"))
    history.close()
    subprocess.run(["umount", str(folder)], check=False)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_only(folder: Path) -> dict[str, Any]:
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
    port = free_port()
    env = {**os.environ, "CLAUDE_CARTHING_HOME": str(folder / "home")}
    server = subprocess.Popen(
        [sys.executable, "-m", "claude_carthing", "serve", "--demo", "--host", "127.0.0.1",
         "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    out: dict[str, Any] = {"health": None}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(OSError), urllib.request.urlopen(
                f"http://127.0.0.1:{port}/usage", timeout=1) as resp:
            out["health"] = resp.status
            out["state"] = json.loads(resp.read())["meta"]["state"]
            break
        time.sleep(0.1)
    server.terminate()
    try:
        _, err = server.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        _, err = server.communicate()
    out["stderr"] = err
    config = subprocess.run(
        [sys.executable, "-m", "claude_carthing", "config", "set", "port", "9000"],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    out["config_code"] = config.returncode
    out["config_stderr"] = config.stderr
    subprocess.run(["umount", str(folder)], check=False)
    return out


def main() -> None:
    scenario, folder = sys.argv[1], Path(sys.argv[2])
    result = disk_full(folder) if scenario == "disk_full" else read_only(folder)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
