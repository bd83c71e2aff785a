"""macOS: a launchd user agent that starts `serve` at login and restarts it if it dies."""

from __future__ import annotations

import os
import plistlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from claude_carthing import paths

LABEL = "io.github.claude-carthing.serve"


def unit_path(env: Mapping[str, str] | None = None) -> Path:
    """Return where the agent's plist lives: `~/Library/LaunchAgents/`."""
    return Path.home() / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def render(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """Return the agent's plist."""
    logs = paths.log_dir()
    data: dict[str, object] = {
        "Label": LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        # Restart after a crash, not after a clean exit (e.g. the user stopped it).
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Background",
        "StandardOutPath": str(logs / "launchd.out.log"),
        "StandardErrorPath": str(logs / "launchd.err.log"),
    }
    if env:
        data["EnvironmentVariables"] = dict(env)
    return plistlib.dumps(data).decode("utf-8")


def _domain() -> str:
    return f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/0"


def prepare_commands() -> list[list[str]]:
    """Return the commands that unload an agent loaded earlier (fails when none is)."""
    # `bootstrap` refuses an agent that is already loaded: enabling twice must still work.
    return disable_commands()


def enable_commands() -> list[list[str]]:
    """Return the commands that load the agent (it starts at once: RunAtLoad)."""
    return [["launchctl", "bootstrap", _domain(), str(unit_path())]]


def disable_commands() -> list[list[str]]:
    """Return the commands that stop and unload the agent."""
    return [["launchctl", "bootout", f"{_domain()}/{LABEL}"]]


def after_remove_commands() -> list[list[str]]:
    """Return the commands to run once the file is gone (none on macOS)."""
    return []


def status_command() -> list[str]:
    """Return the command whose output says whether the agent runs."""
    return ["launchctl", "print", f"{_domain()}/{LABEL}"]


def is_running(returncode: int, stdout: str) -> bool:
    """Interpret `launchctl print`."""
    return returncode == 0 and "state = running" in stdout
