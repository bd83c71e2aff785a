"""What the tray shows with several accounts: the icon of the one that most needs you, and a
short line per account for the tooltip and the menu."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from claude_carthing import i18n
from claude_carthing.alerts.events import worst_window
from claude_carthing.i18n import t
from claude_carthing.tray.picture import face, with_sessions

if TYPE_CHECKING:
    from claude_carthing.poller import Snapshot

# Red (near a limit) needs you most; then an account whose numbers are not fresh (grey, as the
# icon of a single failing account): it could be anywhere. Then yellow, then green.
RANK = {"red": 3, "grey": 2, "yellow": 1, "green": 0}

Named = Sequence[tuple[str, "Snapshot"]]


def _short(window_id: str) -> str:
    # As short as Claude Code's status line says them ("5h", "wk"): a menu entry is one line.
    if window_id == "five_hour":
        # i18n: the 5-hour limit, as short as possible (tray menu: "work: 5h 42 % · wk 61 %")
        return t("5h")
    # i18n: the weekly limit, as short as possible (tray menu: "work: 5h 42 % · wk 61 %")
    return t("wk")


def _failure(kind: str | None) -> str:
    # A few words per kind of failed read (the page's longer sentences do not fit a menu).
    words = {"cloudflare": lambda: t("Cloudflare check"), "auth": lambda: t("login failed"),
             "rate_limited": lambda: t("rate limit"), "network": lambda: t("no network"),
             "server": lambda: t("Claude server error"), "schema": lambda: t("unknown answer")}
    return words[kind]() if kind in words else t("error")


def _number(text: str) -> int:
    return int(text) if text.isdigit() else -1


def worst_face(named: Named) -> tuple[str, str]:
    """Return the icon's (text, colour) of the account that most needs you: red first, then
    one without fresh numbers, yellow, green; the higher percentage within a colour."""
    faces = [face(snap) for _, snap in named]
    return max(faces, key=lambda f: (RANK[f[1]], _number(f[0])))


def _windows(snap: Snapshot) -> str:
    assert snap.usage is not None  # noqa: S101 - the caller checked
    parts = [f"{_short(wid)} {i18n.pct(window.utilization)}" for wid in ("five_hour", "seven_day")
             if (window := snap.usage.window(wid)) is not None]
    if not parts:  # neither of the main windows: the fullest other one
        worst = worst_window(snap)
        parts = ([f"{i18n.window_label(worst.id, worst.label)} {i18n.pct(worst.utilization)}"]
                 if worst else [t("no limits")])
    return " · ".join(parts)


def _problem(snap: Snapshot) -> str:
    if not snap.configured:
        return t("not logged in")
    if snap.paused:
        return t("login needed")
    if snap.last_error:
        return t("no reading ({why})", why=_failure(snap.error_kind))
    return t("waiting for the first reading")


def account_line(name: str, snap: Snapshot) -> str:
    """Return one account in a few words: `work: 5h 42 % · wk 61 %`, or what is wrong."""
    if snap.usage is None:
        text = _problem(snap)
    elif snap.paused:
        text = t("{title} (login needed)", title=_windows(snap))
    else:
        text = _windows(snap)
        if snap.stale:
            text = t("{title} (stale)", title=text)
    return t("{account}: {title}", account=name, title=text)


def accounts_tooltip(named: Named, now: float, sessions: list[dict[str, Any]] | None) -> str:
    """Return the tooltip: a line per account (Claude Code's sessions around it, as with one)."""
    demo = any(snap.source == "demo" for _, snap in named)
    title = t("Claude usage")
    lines = [t("{title} (demo)", title=title) if demo else title]
    lines += [account_line(name, snap) for name, snap in named]
    return with_sessions(lines, now, sessions)
