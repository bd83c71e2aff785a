"""Where the running server listens, told to Claude Code's hot commands through a small file.

`serve` writes `server.json` (host, port, process id) into the home folder as it starts and
removes it as it stops; `statusline` and `hook` read it. Standard library only, and not even
pathlib: the hot commands import this module, and every millisecond of theirs counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

FILE_NAME = "server.json"
DEFAULT_PORT = 8080
APP_NAME = "claude-carthing"
WILDCARDS = ("0.0.0.0", "")


def home_dir() -> str:
    """Return the home folder exactly as `paths.home_dir()` does, without platformdirs."""
    override = os.environ.get("CLAUDE_CARTHING_HOME")
    if override:
        return os.path.expanduser(override)
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, APP_NAME)
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", APP_NAME)
    xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return os.path.join(os.path.expanduser(xdg) if xdg else os.path.join(home, ".config"),
                        APP_NAME)


def endpoint_file() -> str:
    """Return the path of `server.json`."""
    return os.path.join(home_dir(), FILE_NAME)


def connect_host(host: str) -> str:
    """Return the address to reach a server listening on `host` from this PC."""
    if host in WILDCARDS:
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def read() -> tuple[str, int]:
    """Return (address, port) of the running server; the defaults when nothing says otherwise."""
    try:
        with open(endpoint_file(), encoding="utf-8") as f:
            data = json.load(f)
        port = int(data["port"])
        host = str(data.get("host", "127.0.0.1"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "127.0.0.1", DEFAULT_PORT
    if not 0 < port < 65536:
        return "127.0.0.1", DEFAULT_PORT
    return connect_host(host), port


def write(host: str, port: int) -> None:
    """Record where this server listens (called by the server as it starts)."""
    path = endpoint_file()
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"host": host, "port": port, "pid": os.getpid()}, f)
        os.replace(tmp, path)


def remove() -> None:
    """Forget where this server listens, unless another server has written the file since."""
    path = endpoint_file()
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        with open(path, encoding="utf-8") as f:
            mine = json.load(f)["pid"] == os.getpid()
        if mine:
            os.remove(path)
