"""Where the `claude` command is installed, on Windows, macOS and Linux."""

from __future__ import annotations

import os
import platform
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

EXECUTABLE = "claude"


def candidates(system: str, home: PurePath, env: Mapping[str, str]) -> list[PurePath]:
    """Return the usual install locations of `claude`, most likely first (pure data, no I/O).

    `system` is `platform.system()`: "Windows", "Darwin" or "Linux" (anything else: like Linux).
    """
    if system == "Windows":
        home = PureWindowsPath(home)
        found: list[PurePath] = [
            home / ".local" / "bin" / "claude.exe",  # the native installer
            home / ".claude" / "local" / "claude.exe",
            home / ".claude" / "local" / "claude.cmd",  # `claude migrate-installer`
        ]
        if env.get("APPDATA"):
            found.append(PureWindowsPath(env["APPDATA"]) / "npm" / "claude.cmd")  # npm -g
        if env.get("NPM_CONFIG_PREFIX"):
            found.append(PureWindowsPath(env["NPM_CONFIG_PREFIX"]) / "claude.cmd")
        if env.get("LOCALAPPDATA"):
            found.append(PureWindowsPath(env["LOCALAPPDATA"]) / "Programs" / "claude"
                         / "claude.exe")
        return found
    home = PurePosixPath(home)
    found = [
        home / ".claude" / "local" / "claude",  # `claude migrate-installer`
        home / ".local" / "bin" / "claude",  # the native installer
    ]
    if env.get("NPM_CONFIG_PREFIX"):
        found.append(PurePosixPath(env["NPM_CONFIG_PREFIX"]) / "bin" / "claude")
    found += [home / ".npm-global" / "bin" / "claude", home / ".bun" / "bin" / "claude",
              home / ".volta" / "bin" / "claude"]
    if system == "Darwin":
        found.append(PurePosixPath("/opt/homebrew/bin/claude"))  # Homebrew on Apple silicon
    found += [PurePosixPath("/usr/local/bin/claude"), PurePosixPath("/usr/bin/claude")]
    return found


def _runnable(path: Path) -> bool:
    return path.is_file() and (os.name == "nt" or os.access(path, os.X_OK))


def find_claude(
    setting: str = "",
    *,
    system: str | None = None,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> Path | None:
    """Return the `claude` to run: the `claude_path` setting, else PATH, else a usual place."""
    if setting:
        path = Path(setting).expanduser()
        return path if _runnable(path) else None
    on_path = which(EXECUTABLE)
    if on_path:
        return Path(on_path)
    env = os.environ if env is None else env
    for candidate in candidates(system or platform.system(), home or Path.home(), env):
        path = Path(candidate)
        if _runnable(path):
            return path
    return None
