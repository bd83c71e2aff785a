"""Files only their owner may read: mode 600/700 where the OS has modes, an ACL on Windows."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from pathlib import Path

from claude_carthing.commands import Runner, run

# One access-control entry in `icacls` output: "DOMAIN\user:(I)(F)" (flags, then rights).
ACE = re.compile(r"(?P<who>\S.*?):(?P<rights>(\([A-Z,]+\))+)\s*$")


def windows_user(env: Mapping[str, str] | None = None) -> str:
    """Return DOMAIN\\user, as icacls names the current user."""
    env = os.environ if env is None else env
    user = env.get("USERNAME") or getpass.getuser()
    domain = env.get("USERDOMAIN")
    return f"{domain}\\{user}" if domain else user


def restrict_argv(path: Path, user: str, *, folder: bool = False) -> list[str]:
    """Return the icacls command that leaves `user` as the only one with access to `path`."""
    # /inheritance:r drops what the folder passes down (Users, Authenticated Users...);
    # /grant:r replaces any explicit grant with full control for the user alone. A folder
    # passes the same to the files created in it: (OI)(CI).
    rights = "(OI)(CI)(F)" if folder else "(F)"
    return ["icacls", str(path), "/inheritance:r", "/grant:r", f"{user}:{rights}"]


def show_argv(path: Path) -> list[str]:
    """Return the icacls command that lists who may access `path`."""
    return ["icacls", str(path)]


def parse_icacls(output: str, path: str | None = None) -> list[tuple[str, str]]:
    """Return (principal, rights) for each entry `icacls PATH` printed (any language)."""
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return []
    # The first entry follows the path on the first line (a path may hold spaces); the others
    # are indented to where it starts. Summary lines are not indented.
    rest = [line for line in lines[1:] if line[:1].isspace()]
    first = lines[0]
    if path and first.startswith(path):
        first = first[len(path):]
    elif rest:
        first = first[len(rest[0]) - len(rest[0].lstrip()):]
    entries = []
    for line in [first, *rest]:
        match = ACE.match(line.strip())
        if match:
            entries.append((match["who"], match["rights"]))
    return entries


def others_with_access(entries: list[tuple[str, str]], user: str) -> list[str]:
    """Return the principals other than `user` that the entries give any access."""
    return [who for who, _ in entries if who.lower() != user.lower()]


def restrict(path: Path, *, folder: bool = False, windows: bool | None = None,
             runner: Runner | None = None) -> None:
    """Make `path` private to the current user; raise OSError when Windows refuses."""
    if not (os.name == "nt" if windows is None else windows):
        path.chmod(0o700 if folder else 0o600)
        return
    result = (runner or run)(restrict_argv(path, windows_user(), folder=folder))
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise PermissionError(f"icacls could not make it private: {detail}", str(path))


def foreign_access(path: Path, runner: Runner | None = None) -> list[str] | None:
    """Return who else may read `path` on Windows ([] when only the user), None if unknown."""
    result = (runner or run)(show_argv(path))
    if result.returncode != 0:
        return None
    return others_with_access(parse_icacls(result.stdout, str(path)), windows_user())


def fix_text(path: Path, *, folder: bool = False) -> str:
    """Return the command a user types to make `path` private (shown by doctor)."""
    argv = restrict_argv(path, windows_user(), folder=folder)
    return " ".join(f'"{a}"' if " " in a or "(" in a else a for a in argv)
