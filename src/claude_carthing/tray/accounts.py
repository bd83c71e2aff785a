"""What the tray shows with several accounts: the icon of the one that most needs you, and a
short line per account for the tooltip and the menu."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from claude_carthing.alerts.events import worst_window
from claude_carthing.tray.picture import face, with_sessions

if TYPE_CHECKING:
    from claude_carthing.poller import Snapshot

# Red (near a limit) needs you most; then an account whose numbers are not fresh (grey, as the
# icon of a single failing account): it could be anywhere. Then yellow, then green.
RANK = {"red": 3, "grey": 2, "yellow": 1, "green": 0}
SHORT = (("five_hour", "5h"), ("seven_day", "wk"))  # as Claude Code's status line says them

Named = Sequence[tuple[str, "Snapshot"]]


def _number(text: str) -> int:
    return int(text) if text.isdigit() else -1


def worst_face(named: Named) -> tuple[str, str]:
    """Return the icon's (text, colour) of the account that most needs you: red first, then
    one without fresh numbers, yellow, green; the higher percentage within a colour."""
    faces = [face(snap) for _, snap in named]
    return max(faces, key=lambda f: (RANK[f[1]], _number(f[0])))


def _windows(snap: Snapshot) -> str:
    assert snap.usage is not None  # noqa: S101 - the caller checked
    parts = [f"{short} {window.utilization:.0f} %" for wid, short in SHORT
             if (window := snap.usage.window(wid)) is not None]
    if not parts:  # neither of the main windows: the fullest other one
        worst = worst_window(snap)
        parts = [f"{worst.label} {worst.utilization:.0f} %"] if worst else ["no limits"]
    return " · ".join(parts)


def _problem(snap: Snapshot) -> str:
    if not snap.configured:
        return "not logged in"
    if snap.paused:
        return "login needed"
    if snap.last_error:
        return f"no reading ({snap.error_kind or 'error'})"
    return "waiting for the first reading"


def account_line(name: str, snap: Snapshot) -> str:
    """Return one account in a few words: `work: 5h 42 % · wk 61 %`, or what is wrong."""
    if snap.usage is None:
        return f"{name}: {_problem(snap)}"
    if snap.paused:
        return f"{name}: {_windows(snap)} (login needed)"
    return f"{name}: {_windows(snap)}" + (" (stale)" if snap.stale else "")


def accounts_tooltip(named: Named, now: float, sessions: list[dict[str, Any]] | None) -> str:
    """Return the tooltip: a line per account (Claude Code's sessions around it, as with one)."""
    demo = any(snap.source == "demo" for _, snap in named)
    lines = ["Claude usage" + (" (demo)" if demo else "")]
    lines += [account_line(name, snap) for name, snap in named]
    return with_sessions(lines, now, sessions)
