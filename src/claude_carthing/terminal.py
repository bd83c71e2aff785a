"""Terminal rendering of a `/usage` document with rich: bars, percentages, countdowns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from claude_carthing.projection import NOT_ENOUGH, level, project

BAR_WIDTH = 24
COLOURS = {"ok": "green", "warn": "yellow", "crit": "red"}


def colour(percent: float, severity: str | None = None) -> str:
    """Return the terminal colour of the one level rule (`projection.level`)."""
    return COLOURS[level(percent, severity)]


def pace(window: dict[str, Any], now_ms: int, offset_minutes: int) -> Text:
    """Return the window's projection in words, from the server's rule (or the same rule here)."""
    found = window.get("projection")
    if not isinstance(found, dict) or not found.get("text"):
        found = project(window, (), now_ms, offset_minutes)  # an older server: no history here
    text = str(found["text"])
    style = {"hits": "red", "reached": "red"}.get(str(found.get("state")), "dim")
    return Text(text, style="dim" if text == NOT_ENOUGH else style)


def countdown(reset_ms: int | None, now_ms: int) -> str:
    """Return '2h 14m', '3d 4h', '12m', 'soon' (past) or 'no reset time'."""
    if reset_ms is None:
        return "no reset time"
    left = (reset_ms - now_ms) / 1000
    if left <= 0:
        return "soon"
    days, rest = divmod(int(left), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{max(minutes, 1)}m"


def local_clock(epoch_ms: int, offset_minutes: int) -> str:
    """Return HH:MM of an epoch time in the PC's local time (given its UTC offset)."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return (moment + timedelta(minutes=offset_minutes)).strftime("%H:%M")


def bar(percent: float, style: str, width: int = BAR_WIDTH) -> Text:
    """Return a text progress bar (clamped to 0-100 for drawing)."""
    filled = round(max(0.0, min(percent, 100.0)) / 100 * width)
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def window_cells(window: dict[str, Any]) -> tuple[Text, Text, Text]:
    """Return a window's label, bar and percentage cells, coloured by its level."""
    percent = float(window.get("utilization") or 0)
    style = colour(percent, window.get("severity"))
    label = Text(str(window.get("label") or window.get("id")))
    return label, bar(percent, style), Text(f"{percent:5.1f} %", style=f"bold {style}")


SOURCE_NAMES = {"claude-code": "Claude Code", "oauth": "Claude Code's login",
                "web": "claude.ai session"}


MODE_WORDS = {"idle": "idle: ", "backoff": "backing off: ", "normal": ""}


def next_read(meta: dict[str, Any]) -> str:
    """Return when the next read is due and why ('idle: next read in 24 min'; '' if unknown)."""
    mode = meta.get("poll_mode")
    if mode == "paused":
        return "paused until the credentials change"
    due, now = meta.get("next_poll_at_ms"), meta.get("server_time_ms")
    if mode not in MODE_WORDS or not isinstance(due, (int, float)) or not now:
        return ""
    minutes = -(-(due - now) // 60000)  # rounded up: "in 1 min" until it is due
    when = f"in {int(minutes)} min" if minutes > 0 else "now"
    return f"{MODE_WORDS[mode]}next read {when}"


def state_line(doc: dict[str, Any]) -> Text:
    """Return one line that says whether the data is live, stale, demo or missing, and why."""
    meta = doc.get("meta") or {}
    state = meta.get("state", "unknown")
    now_ms = meta.get("server_time_ms") or 0
    fetched = meta.get("fetched_at_ms")
    age = ""
    if fetched:
        minutes = max(0, (now_ms - fetched) // 60000)
        age = " · updated just now" if minutes == 0 else f" · updated {minutes} min ago"
    styles = {"live": "green", "demo": "magenta", "stale": "yellow"}
    label = {"demo": "DEMO DATA", "not_configured": "not configured"}.get(state, state)
    line = Text(label.upper() if state == "demo" else label, style=styles.get(state, "red"))
    line += Text(age, style="dim")
    if meta.get("source") in SOURCE_NAMES:
        line += Text(f" · via {SOURCE_NAMES[meta['source']]}", style="dim")
    if meta.get("last_error"):
        line += Text(f" · {meta['last_error']}", style="yellow" if doc.get("windows") else "red")
    upcoming = next_read(meta)
    if upcoming:
        line += Text(f" · {upcoming}", style="dim")
    return line


def render_usage(doc: dict[str, Any]) -> Group:
    """Return a renderable view of a `/usage` document."""
    meta = doc.get("meta") or {}
    now_ms = meta.get("server_time_ms") or 0
    offset = meta.get("utc_offset_minutes") or 0
    table = Table.grid(padding=(0, 2))
    for _ in range(6):
        table.add_column()
    for window in doc.get("windows") or []:
        label, drawn, percent = window_cells(window)
        reset_ms = window.get("resets_at_ms")
        resets = f"resets {local_clock(reset_ms, offset)}" if reset_ms else ""
        table.add_row(label, drawn, percent, Text(resets, style="dim"),
                      Text(countdown(reset_ms, now_ms)), pace(window, now_ms, offset))
    parts: list[Any] = [table]
    extra = doc.get("extra_usage")
    if extra and extra.get("enabled") and extra.get("used") is not None:
        limit = f" of {extra['limit']:.2f}" if extra.get("limit") is not None else ""
        parts.append(Text(f"Extra usage: {extra['used']:.2f}{limit} {extra.get('currency') or ''}"))
    parts += [*no_windows_line(doc), state_line(doc)]
    return Group(*parts)


def no_windows_line(doc: dict[str, Any]) -> list[Text]:
    """Return why there are no windows, unless `state_line` already says it (else [])."""
    if doc.get("windows"):
        return []
    message = doc.get("error") or "No usage windows."
    if message == (doc.get("meta") or {}).get("last_error"):
        return []
    return [Text(message, style="red")]
