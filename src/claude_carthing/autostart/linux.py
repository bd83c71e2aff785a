"""Linux: a systemd user unit that starts `serve` when the user logs in."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from claude_carthing.autostart.program import SERVICE_NAME

UNIT = f"{SERVICE_NAME}.service"


def unit_path(env: Mapping[str, str] | None = None) -> Path:
    """Return where the user unit lives: `$XDG_CONFIG_HOME/systemd/user/`."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user" / UNIT


def _quote(arg: str) -> str:
    # systemd expands % specifiers and $ variables; double them so paths stay literal.
    arg = arg.replace("%", "%%").replace("$", "$$")
    if any(c in arg for c in " \t\"'\\"):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg


def render(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """Return the unit file's text."""
    lines = [
        "[Unit]",
        "Description=claude-carthing: Claude usage limits for the Car Thing",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_quote(a) for a in argv),
        *(f"Environment={_quote(f'{k}={v}')}" for k, v in sorted(env.items())),
        "Restart=on-failure",
        "RestartSec=10",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


def prepare_commands() -> list[list[str]]:
    """Return the commands to run before enabling, whose failure does not matter (none)."""
    return []


def enable_commands() -> list[list[str]]:
    """Return the commands that load and start the unit."""
    return [["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", UNIT]]


def disable_commands() -> list[list[str]]:
    """Return the commands that stop and unload the unit (before its file is removed)."""
    return [["systemctl", "--user", "disable", "--now", UNIT]]


def after_remove_commands() -> list[list[str]]:
    """Return the commands to run once the file is gone."""
    return [["systemctl", "--user", "daemon-reload"]]


def status_command() -> list[str]:
    """Return the command whose output says whether the service runs."""
    return ["systemctl", "--user", "is-active", UNIT]


def is_running(returncode: int, stdout: str) -> bool:
    """Interpret `systemctl is-active`."""
    return returncode == 0 and stdout.strip() == "active"
