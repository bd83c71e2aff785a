"""The command lines Claude Code runs for us: our executable, found and quoted for its shell."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path

NAME = "claude-carthing"
SAFE = re.compile(r"^[A-Za-z0-9_./:+@%=,-]+$")  # needs no quoting in sh, Git Bash or PowerShell


def our_executable() -> str | None:
    """Return the absolute path of the `claude-carthing` executable that runs now, if any."""
    exe = ".exe" if os.name == "nt" else ""
    candidates = []
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.stem.lower() == NAME:
        candidates += [argv0, argv0.with_name(argv0.name + exe)]  # the launcher strips .exe
    candidates.append(Path(sys.executable).parent / (NAME + exe))
    found = shutil.which(NAME)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and (os.name == "nt" or os.access(path, os.X_OK)):
            return str(path.absolute())
    return None


def windows_shell() -> str:
    """Return the shell Claude Code runs status line commands in on Windows."""
    if os.environ.get("CLAUDE_CODE_GIT_BASH_PATH") or shutil.which("bash"):
        return "bash"
    git = Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "Git" / "bin" / "bash.exe"
    return "bash" if git.is_file() else "powershell"


def shell_command(exe: str, argument: str, *, windows: bool | None = None,
                  target: str | None = None) -> str:
    """Return `exe argument` as one command string Claude Code's shell runs as meant.

    POSIX: `sh -c` quoting. Windows: forward slashes (Git Bash eats backslashes); no quotes when
    none are needed, so the same string works in Git Bash and PowerShell; otherwise quoted for
    the shell Claude Code will use (`target`: "bash" or "powershell").
    """
    windows = os.name == "nt" if windows is None else windows
    if not windows:
        return f"{shlex.quote(exe)} {argument}"
    path = exe.replace("\\", "/")
    if SAFE.match(path):
        return f"{path} {argument}"
    if (target or windows_shell()) == "powershell":
        return "& '" + path.replace("'", "''") + f"' {argument}"
    escaped = re.sub(r'(["$`\\])', r"\\\1", path)
    return f'"{escaped}" {argument}'


def is_ours(command: object) -> bool:
    """True for a command (path or command line) that runs our executable."""
    if not isinstance(command, str):
        return False
    return re.search(r"claude-carthing(\.exe)?['\"]?( |$)", command.replace("\\", "/")) is not None
