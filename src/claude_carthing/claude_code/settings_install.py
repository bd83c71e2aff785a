"""`claude-carthing claude-code install|uninstall|status`: our status line and hooks in Claude
Code's user settings, merged with the user's own, removable without a trace.

Beside `settings.json` we keep `claude-carthing.json`: the user's own status line command (ours
runs it after us), a hash of the file as we wrote it, and the name of the backup. When nothing
else has touched the file since, `uninstall` puts the backup back byte for byte; otherwise it
takes out only our entries.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claude_carthing.claude_code.commands import is_ours, shell_command
from claude_carthing.errors import CarthingError
from claude_carthing.upstream.credentials import claude_config_dir

SIDE_FILE = "claude-carthing.json"
BACKUP_SUFFIX = ".claude-carthing-backup"
# Events that decide nothing run in the background (`async`); SessionEnd has a 1.5 s budget
# and async hooks can be cut at exit, so it runs in the foreground like PermissionRequest, whose
# answer the approvals feature will give (today it answers nothing: no decision).
EVENTS = {"SessionStart": True, "UserPromptSubmit": True, "PostToolUse": True,
          "Notification": True, "Stop": True, "StopFailure": True, "SessionEnd": False,
          "PermissionRequest": False}
HOOK_TIMEOUT_S = 5
APPROVE_ARGS = ["hook", "--approve"]
APPROVAL_MARGIN_S = 60  # the PermissionRequest entry outlives the server's approval_timeout
DEFAULT_MODE = "auto"  # Claude Code 2.1.332's default permission mode
MANUAL_MODES = ("default", "manual")


class InstallError(CarthingError):
    """Claude Code's settings cannot be changed safely."""

    kind = "config"


@dataclass
class Report:
    """What install/uninstall/status found or did."""

    settings: Path
    changed: bool = False
    restored: bool = False
    backup: Path | None = None
    executable: str | None = None
    status_line: bool = False
    chained: str | None = None
    hooks: dict[str, bool] = field(default_factory=dict)
    approvals: bool = False
    permission_mode: str = DEFAULT_MODE
    problems: list[str] = field(default_factory=list)


def settings_file() -> Path:
    """Return Claude Code's user settings file ($CLAUDE_CONFIG_DIR or ~/.claude)."""
    return claude_config_dir() / "settings.json"


def _side_file(settings: Path) -> Path:
    return settings.with_name(SIDE_FILE)


def _read(path: Path) -> tuple[bytes | None, dict[str, Any]]:
    """Return the file's bytes and its JSON object; refuse anything else, never guess."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, {}
    if not raw.strip():
        return raw, {}
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(
            exc, json.JSONDecodeError) else ""
        raise InstallError(f"{path} is not valid JSON{where}; fix it or move it away, then try "
                           f"again (nothing was changed)") from None
    if not isinstance(data, dict):
        raise InstallError(f"{path} does not hold a JSON object; nothing was changed")
    return raw, data


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _digest(raw: bytes | None) -> str | None:
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _our_handler(exe: str, event: str, approval_s: int | None = None) -> dict[str, Any]:
    handler: dict[str, Any] = {"type": "command", "command": exe, "args": ["hook"],
                               "timeout": HOOK_TIMEOUT_S}
    if event == "PermissionRequest" and approval_s is not None:
        handler["args"] = list(APPROVE_ARGS)
        handler["timeout"] = min(approval_s + APPROVAL_MARGIN_S, 600)
    if EVENTS[event]:
        handler["async"] = True
    return handler


def _is_our_handler(handler: Any) -> bool:
    return isinstance(handler, dict) and is_ours(handler.get("command")) and \
        handler.get("args") in (["hook"], APPROVE_ARGS)


def _approves(handler: Any) -> bool:
    return _is_our_handler(handler) and handler.get("args") == APPROVE_ARGS


def _merge_hooks(data: dict[str, Any], exe: str, approval_s: int | None) -> None:
    hooks = data.get("hooks")
    if hooks is None:
        hooks = data["hooks"] = {}
    if not isinstance(hooks, dict):
        raise InstallError("settings.json has a `hooks` key that is not an object; nothing "
                           "was changed")
    for event in EVENTS:
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise InstallError(f"settings.json's hooks.{event} is not a list; nothing was "
                               f"changed")
        wanted = _our_handler(exe, event, approval_s)
        placed = False
        for group in groups:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if not isinstance(handlers, list):
                continue
            for index, handler in enumerate(handlers):
                if _is_our_handler(handler):
                    if placed:
                        handlers[index] = None  # a duplicate of ours
                    else:
                        handlers[index] = wanted
                        placed = True
            group["hooks"] = [h for h in handlers if h is not None]
        if not placed:
            groups.append({"hooks": [wanted]})


def _remove_ours(data: dict[str, Any], original_status_line: Any) -> None:
    status = data.get("statusLine")
    if isinstance(status, dict) and is_ours(status.get("command")):
        if original_status_line is None:
            del data["statusLine"]
        else:
            data["statusLine"] = original_status_line
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        return
    for event in list(hooks):
        groups = hooks[event]
        if not isinstance(groups, list):
            continue
        kept = []
        for group in groups:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if isinstance(handlers, list):
                group["hooks"] = [h for h in handlers if not _is_our_handler(h)]
                if not group["hooks"] and handlers:
                    continue  # the group held only ours
            kept.append(group)
        if kept:
            hooks[event] = kept
        else:
            del hooks[event]
    if not hooks:
        del data["hooks"]


def install(exe: str, settings: Path | None = None, approvals: bool | None = None,
            approval_s: int = 120) -> Report:
    """Merge our status line and hooks into the settings; a second run changes nothing.

    `approvals`: True makes our PermissionRequest hook ask the Car Thing, False makes it only
    report, None keeps what is installed (off at first)."""
    path = settings or settings_file()
    raw, data = _read(path)
    if approvals is None:
        approvals = _fill(Report(path), data, {}).approvals
    side_path = _side_file(path)
    side = _side(side_path)
    before = json.dumps(data, sort_keys=True)
    status = data.get("statusLine")
    if not (isinstance(status, dict) and is_ours(status.get("command"))):
        side["original_status_line"] = status  # None when the user had none
        chained = status.get("command") if isinstance(status, dict) and status.get(
            "type", "command") == "command" else None
        side["chained_status_line"] = chained if isinstance(chained, str) else None
        line: dict[str, Any] = {"type": "command", "command": shell_command(exe, "statusline"),
                                "padding": 0}
        if isinstance(status, dict) and isinstance(status.get("padding"), int):
            line["padding"] = status["padding"]
        data["statusLine"] = line
    else:
        status["command"] = shell_command(exe, "statusline")
    _merge_hooks(data, exe, approval_s if approvals else None)
    report = Report(path, executable=exe)
    if json.dumps(data, sort_keys=True) == before and side_path.exists():
        return _fill(report, data, side)
    if "settings_sha256" not in side:  # the first install: keep the user's file as it was
        side["had_settings"] = raw is not None
        if raw is not None:
            backup = path.with_name(path.name + BACKUP_SUFFIX)
            _write_atomic(backup, raw)
            side["backup"] = backup.name
            report.backup = backup
    new = _dump(data)
    _write_atomic(path, new)
    side["settings_sha256"] = _digest(new)
    _write_atomic(side_path, _dump(side))
    report.changed = True
    return _fill(report, data, side)


def uninstall(settings: Path | None = None) -> Report:
    """Take our entries out; restore the user's file byte for byte if nobody else changed it."""
    path = settings or settings_file()
    side_path = _side_file(path)
    raw, data = _read(path)
    side = _side(side_path)
    report = Report(path)
    backup = path.with_name(str(side.get("backup") or (path.name + BACKUP_SUFFIX)))
    untouched = side.get("settings_sha256") is not None and _digest(raw) == side[
        "settings_sha256"]
    if untouched and side.get("had_settings") is False:
        path.unlink(missing_ok=True)
        report.changed = report.restored = True
    elif untouched and backup.is_file():
        _write_atomic(path, backup.read_bytes())
        report.changed = report.restored = True
    else:
        before = json.dumps(data, sort_keys=True)
        _remove_ours(data, side.get("original_status_line"))
        if raw is not None and json.dumps(data, sort_keys=True) != before:
            _write_atomic(path, _dump(data))
            report.changed = True
    side_path.unlink(missing_ok=True)
    if report.restored:
        backup.unlink(missing_ok=True)
    return report


def status(settings: Path | None = None) -> Report:
    """Report what is installed, without changing anything."""
    path = settings or settings_file()
    _, data = _read(path)
    return _fill(Report(path), data, _side(_side_file(path)))


def _side(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _fill(report: Report, data: dict[str, Any], side: dict[str, Any]) -> Report:
    status = data.get("statusLine")
    report.status_line = isinstance(status, dict) and is_ours(status.get("command"))
    report.chained = side.get("chained_status_line") if report.status_line else None
    hooks = data.get("hooks")
    hooks = hooks if isinstance(hooks, dict) else {}
    found: str | None = None
    for event in EVENTS:
        groups = hooks.get(event)
        groups = groups if isinstance(groups, list) else []
        handlers = [h for g in groups if isinstance(g, dict) and isinstance(g.get("hooks"), list)
                    for h in g["hooks"] if _is_our_handler(h)]
        report.hooks[event] = bool(handlers)
        if event == "PermissionRequest":
            report.approvals = any(_approves(h) for h in handlers)
        if handlers:
            found = found or str(handlers[0].get("command"))
    report.executable = report.executable or found
    permissions = data.get("permissions")
    mode = permissions.get("defaultMode") if isinstance(permissions, dict) else None
    report.permission_mode = mode if isinstance(mode, str) and mode else DEFAULT_MODE
    if report.status_line or any(report.hooks.values()):
        if not all(report.hooks.values()):
            missing = ", ".join(e for e, ok in report.hooks.items() if not ok)
            report.problems.append(f"hooks missing for {missing}")
        if not report.status_line:
            report.problems.append("the status line is not ours")
        exe = report.executable
        if exe and not (Path(exe).is_file() and (os.name == "nt" or os.access(exe, os.X_OK))):
            report.problems.append(f"{exe} (written in the settings) is not there any more; run "
                                   f"`claude-carthing claude-code install` again")
    return report
