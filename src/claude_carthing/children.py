"""Child processes we start (Claude Code, the user's hook): in a process group of their own, so
the whole tree can be ended, and with an environment that holds none of our secrets."""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import subprocess
from collections.abc import Mapping
from typing import Any

# Never handed to a child: the session key we read from the environment, and a Claude Code
# token (which also makes Claude Code answer `rate_limits: null`).
SECRET_VARIABLES = ("CLAUDE_CARTHING_SESSION_KEY", "CLAUDE_CODE_OAUTH_TOKEN")
CREATE_NO_WINDOW = 0x08000000
CREATE_NEW_PROCESS_GROUP = 0x00000200


def without_secrets(env: Mapping[str, str], prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    """Return `env` without our secrets and variables starting with `prefixes` (any case)."""
    return {k: v for k, v in env.items()
            if k.upper() not in SECRET_VARIABLES and not k.upper().startswith(prefixes)}


def popen_options(system: str) -> dict[str, Any]:
    """Return how to start a child: no console window on Windows, its own process group."""
    if system == "Windows":
        return {"creationflags": CREATE_NO_WINDOW | CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}  # so the whole tree (a wrapper script + node) can go


def kill_command(system: str, pid: int) -> list[str] | None:
    """Return the command that ends a child and its descendants (None: use signals)."""
    if system == "Windows":
        return ["taskkill", "/F", "/T", "/PID", str(pid)]
    return None


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """End the child and everything it started (its process group); never raises."""
    command = kill_command(platform.system(), proc.pid)
    if command is None:
        # The group outlives its leader while a descendant (node under a wrapper) still runs.
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)  # type: ignore[attr-defined,unused-ignore]
    elif proc.poll() is None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(command, capture_output=True, timeout=10, check=False,
                           creationflags=CREATE_NO_WINDOW)
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.kill()
