"""Where the running server listens, told to Claude Code's hot commands through a small file.

`serve` writes `server.json` (host, port, process id) into the home folder as it starts and
removes it as it stops; `statusline` and `hook` read it. Standard library only, and not even
pathlib: the hot commands import this module, and every millisecond of theirs counts.
"""

import os
import sys

from claude_carthing.claude_code import tinyjson

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
    """Return (address, port) of the running server: `server.json`, else the configured port
    (`config.json`), else the default."""
    for name in (FILE_NAME, "config.json"):
        try:
            with open(os.path.join(home_dir(), name), encoding="utf-8") as f:
                data = tinyjson.loads(f.read())
            port = int(data.get("port", DEFAULT_PORT))
            host = str(data.get("host", "127.0.0.1"))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
        if 0 < port < 65536:
            return connect_host(host), port
    return "127.0.0.1", DEFAULT_PORT


def write(host: str, port: int) -> None:
    """Record where this server listens (called by the server as it starts)."""
    path = endpoint_file()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(tinyjson.dumps({"host": host, "port": port, "pid": os.getpid()}))
        os.replace(tmp, path)
    except OSError:
        pass  # without the file the hot commands try the configured port


def remove() -> None:
    """Forget where this server listens, unless another server has written the file since."""
    path = endpoint_file()
    try:
        with open(path, encoding="utf-8") as f:
            mine = tinyjson.loads(f.read())["pid"] == os.getpid()
        if mine:
            os.remove(path)
    except (OSError, ValueError, TypeError, KeyError):
        pass
