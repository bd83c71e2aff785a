"""Claude Code's local activity: a cheap look at files under its config folder, never a request.

Claude Code appends to `history.jsonl` at each prompt, creates a session file under
`projects/<project>/` for each session (which changes that folder's time), rewrites
`.claude.json` as it starts and `.credentials.json` when it refreshes its login. A change in any
of these says someone is using Claude Code now, so the usage is about to move.
"""

from __future__ import annotations

import os
from pathlib import Path

from claude_carthing.upstream import credentials

WATCHED_FILES = (".credentials.json", ".claude.json", "history.jsonl")
MAX_PROJECTS = 2000  # a folder with more projects than this is only looked at in part


def _stamp(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "-"
    return f"{info.st_mtime_ns}:{info.st_size}"


def signature(folder: Path | None = None) -> tuple[str, ...]:
    """Return a value that changes whenever Claude Code is used on this PC (stat calls only)."""
    folder = folder or credentials.claude_config_dir()
    parts = [_stamp(folder / name) for name in WATCHED_FILES]
    projects = folder / "projects"
    parts.append(_stamp(projects))
    try:
        with os.scandir(projects) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_PROJECTS:
                    break
                if entry.is_dir(follow_symlinks=False):
                    parts.append(f"{entry.name}:{entry.stat(follow_symlinks=False).st_mtime_ns}")
    except OSError:
        pass
    return tuple(sorted(parts))
