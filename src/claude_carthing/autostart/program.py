"""The absolute command line that starts `serve`, as the installed program."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from claude_carthing import paths

SERVICE_NAME = "claude-carthing"


def serve_argv(system: str, python: str | None = None) -> list[str]:
    """Return an absolute argv that runs `claude-carthing serve` without needing PATH."""
    exe = Path(python or sys.executable).absolute()
    # On Windows and macOS a login item has no window at all: the tray icon shows that it runs.
    tray = ["--tray"] if system in ("windows", "macos") else []
    if system == "windows":
        # pythonw.exe has no console window; the console script would open one at every login.
        windowless = exe.with_name("pythonw.exe")
        return [str(windowless if windowless.exists() else exe), "-m", "claude_carthing", "serve",
                *tray]
    # The console script next to the interpreter (venv, pipx) is the installed program; PATH
    # shims (pyenv, asdf) depend on a shell environment a login service does not have.
    script = exe.with_name(SERVICE_NAME)
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "serve", *tray]
    return [str(exe), "-m", "claude_carthing", "serve", *tray]


def service_env() -> dict[str, str]:
    """Return the environment the service needs: the home folder override, if the user set one."""
    home = os.environ.get(paths.HOME_ENV)
    return {paths.HOME_ENV: str(Path(home).expanduser().absolute())} if home else {}
