"""`claude-carthing statusline` and `claude-carthing hook`: Claude Code's hot commands.

Both read Claude Code's JSON on stdin, send the few fields we use to the local server, and exit
0 whatever happens: never a traceback, never more than about a second, nothing printed by
`hook`. Standard library only (see `launch.py`).
"""

import os
import sys
import time

TYPE_CHECKING = False  # typing itself costs the hot commands a few ms
if TYPE_CHECKING:
    from typing import Any
else:
    Any = object  # evaluated in signatures at import; no __future__ import either

from claude_carthing.claude_code import tinyjson
from claude_carthing.claude_code.post import post_json

STDIN_WAIT_S = 0.5  # Claude Code writes its JSON at once; a stdin left open must not hang us
MAX_INPUT = 4_000_000
COLOURS = {"ok": "\x1b[32m", "warn": "\x1b[33m", "crit": "\x1b[31m"}
RESET = "\x1b[0m"
YELLOW_FROM, RED_FROM = 50.0, 80.0  # as projection.level: the same colours everywhere


def run(command: str, args: list[str]) -> int:
    """Run one hot command; always return 0."""
    try:
        if command == "statusline":
            statusline(args)
        else:
            hook(args)
    except BaseException:  # noqa: BLE001, S110 - Claude Code must never see a failure of ours
        pass
    return 0


# --- reading stdin ----------------------------------------------------------------------------


def read_stdin(wait_s: float = STDIN_WAIT_S) -> bytes:
    """Return all of stdin, giving up after `wait_s` without new bytes (POSIX) ."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return b""
    if os.name == "nt":  # no select() on pipes: read on a thread, give up after a while
        import threading

        box: list[bytes] = []
        reader = threading.Thread(target=lambda: box.append(sys.stdin.buffer.read(MAX_INPUT)),
                                  daemon=True)
        reader.start()
        reader.join(wait_s * 4)
        return box[0] if box else b""
    import select

    chunks: list[bytes] = []
    size = 0
    while size < MAX_INPUT:
        ready, _, _ = select.select([fd], [], [], wait_s)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _load(raw: bytes) -> dict[str, Any]:
    try:
        data = tinyjson.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def folder_name(path: Any) -> str | None:
    """Return the last part of a path written with / or \\ (the folder name, never the path)."""
    if not isinstance(path, str) or not path.strip():
        return None
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int = 200) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


# --- statusline -------------------------------------------------------------------------------


def statusline_reading(data: dict[str, Any], now: float) -> dict[str, Any]:
    """Return what we send of a status line JSON: no path, no prompt, no cost."""
    workspace, model = _dict(data.get("workspace")), _dict(data.get("model"))
    context, limits = _dict(data.get("context_window")), _dict(data.get("rate_limits"))
    windows = {}
    for key in ("five_hour", "seven_day"):
        entry = limits.get(key)
        if isinstance(entry, dict):
            windows[key] = {"used_percentage": entry.get("used_percentage"),
                            "resets_at": entry.get("resets_at")}
    return {
        "at_ms": int(now * 1000),
        "config_dir": os.environ.get("CLAUDE_CONFIG_DIR") or None,  # whose account this is
        "session_id": _text(data.get("session_id")),
        "project": folder_name(workspace.get("project_dir") or workspace.get("current_dir")
                               or data.get("cwd")),
        "model": _text(model.get("display_name")) or _text(model.get("id")),
        "context_pct": context.get("used_percentage"),
        "rate_limits": windows,
    }


def _level(pct: float) -> str:
    return "crit" if pct >= RED_FROM else ("warn" if pct >= YELLOW_FROM else "ok")


def local_parts(reading: dict[str, Any], now: float) -> list[list[Any]]:
    """Return the line's parts from the reading itself (the server is not answering)."""
    parts: list[list[Any]] = []
    for key, label in (("five_hour", "5h"), ("seven_day", "wk")):
        entry = reading["rate_limits"].get(key) or {}
        pct, reset = entry.get("used_percentage"), entry.get("resets_at")
        if isinstance(pct, (int, float)) and not (isinstance(reset, (int, float))
                                                  and reset <= now):
            parts.append([f"{label} {round(pct)}%", _level(float(pct))])
    return parts


def render(parts: Any, colour: bool = True) -> str:
    """Return the status line text: `5h 37% · wk 64% · Fable 86%`, coloured by level."""
    shown = []
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, list) and len(part) == 2 and isinstance(part[0], str):
            code = COLOURS.get(str(part[1]), "") if colour else ""
            shown.append(f"{code}{part[0]}{RESET if code else ''}")
    return " · ".join(shown)


def _chain_command() -> str | None:
    """Return the user's own status line command that ours replaced (see settings_install)."""
    base = os.environ.get("CLAUDE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".claude")
    try:
        with open(os.path.join(base, "claude-carthing.json"), encoding="utf-8") as f:
            command = tinyjson.loads(f.read()).get("chained_status_line")
    except (OSError, ValueError, AttributeError):
        return None
    return command if isinstance(command, str) and command.strip() else None


def _start_chained(command: str, raw: bytes) -> Any:
    import subprocess

    if os.name == "nt":
        import shutil

        bash = os.environ.get("CLAUDE_CODE_GIT_BASH_PATH") or shutil.which("bash")
        argv = [bash, "-c", command] if bash else [
            "powershell", "-NoProfile", "-Command", command]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
    else:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE,  # noqa: S602 - the user's own status line, run as Claude Code would
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdin, proc.stdin = proc.stdin, None  # written here; communicate() only reads
    try:
        if stdin is not None:
            stdin.write(raw)  # a status line JSON is a few kB: it fits the pipe, no deadlock
            stdin.close()
    except OSError:
        pass
    return proc


def _write(text: str) -> None:
    data = text.encode("utf-8")
    while data:
        written = os.write(1, data)  # unbuffered: nothing left to flush into a closed pipe
        data = data[written:]


def statusline(args: list[str]) -> None:
    """Send the reading, print our line, then the chained command's output."""
    raw = read_stdin()
    now = time.time()
    data = _load(raw)
    chained = _chain_command() if "--no-chain" not in args else None
    proc = _start_chained(chained, raw) if chained else None
    reading = statusline_reading(data, now)
    answer = post_json("/api/claude-code/statusline", reading)
    parts = answer.get("parts") if isinstance(answer, dict) else None
    if parts is None:
        parts = local_parts(reading, now)
    line = render(parts, colour="NO_COLOR" not in os.environ)
    if line:
        _write(line + "\n")
    if proc is not None:
        try:
            out, _ = proc.communicate(timeout=5)
        except Exception:  # noqa: BLE001 - a slow user command is cut off, not waited for
            proc.kill()
            out = b""
        if out:
            os.write(1, out)


# --- hook -------------------------------------------------------------------------------------

HOOK_FIELDS = ("hook_event_name", "session_id", "source", "reason", "notification_type",
               "error", "tool_name", "permission_mode")


def hook_event(data: dict[str, Any], now: float) -> dict[str, Any]:
    """Return what we send of a hook event: no prompt, no message, no tool input, no path."""
    event: dict[str, Any] = {key: _text(data.get(key)) for key in HOOK_FIELDS}
    model = data.get("model")
    event["model"] = _text(model) if isinstance(model, str) else (
        _text(model.get("display_name")) if isinstance(model, dict) else None)
    event["project"] = folder_name(data.get("cwd"))
    event["at_ms"] = int(now * 1000)
    event["config_dir"] = os.environ.get("CLAUDE_CONFIG_DIR") or None  # whose account this is
    return event


def hook(args: list[str] | None = None) -> None:
    """Send the hook event; print nothing (Claude Code reads a hook's stdout), except with
    `--approve` on a PermissionRequest: the Car Thing's decision (see approve.py)."""
    raw = read_stdin()
    now = time.time()
    data = _load(raw)
    if data.get("hook_event_name"):
        post_json("/api/claude-code/hook", hook_event(data, now))
    if data.get("hook_event_name") == "PermissionRequest" and "--approve" in (args or []):
        from claude_carthing.claude_code import approve

        approve.ask(data, folder_name(data.get("cwd")))
