"""Terminal rendering of a `/usage` document with rich: the sentences `status` and `--watch` share.

Wider than 80 columns a window is one row (label, bar, percentage, reset, countdown, pace); at 80
columns and below it is two: label, bar, percentage and countdown, then the reset and a short pace.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from rich.console import Group
from rich.text import Text

from claude_carthing.projection import NOT_ENOUGH, RESET_DUE, WEEKDAYS, level, project

BAR_WIDTH = 24
MIN_BAR = 8
WIDE_MIN_BAR = 12
COMPACT_MAX = 80  # columns at and below which each window takes two short lines
GAP = "  "
COLOURS = {"ok": "green", "warn": "yellow", "crit": "red"}


def colour(percent: float, severity: str | None = None) -> str:
    """Return the terminal colour of the one level rule (`projection.level`)."""
    return COLOURS[level(percent, severity)]


def projection_of(window: dict[str, Any], now_ms: int, offset_minutes: int) -> dict[str, Any]:
    """Return the server's projection, or the same rule here (an older server: no history)."""
    found = window.get("projection")
    reset = window.get("resets_at_ms")
    if isinstance(reset, (int, float)) and reset <= now_ms:
        return project(window, (), now_ms, offset_minutes)  # passed while we watch: "due"
    if not isinstance(found, dict) or not found.get("text"):
        found = project(window, (), now_ms, offset_minutes)
    return found


def pace(window: dict[str, Any], now_ms: int, offset_minutes: int, short: bool = False) -> Text:
    """Return the window's projection in words ('' once the reset is due: the reset says it)."""
    found = projection_of(window, now_ms, offset_minutes)
    state = str(found.get("state"))
    text = str(found["text"])
    at = found.get("at_ms")
    if state == "due":
        text = ""
    elif short and state == "hits" and isinstance(at, (int, float)):
        text = f"100 % at {when(int(at), now_ms, offset_minutes)}"
    elif short and state == "lasts":
        text = "lasts until the reset"
    elif short and state == "reached":
        text = "limit reached"
    style = {"hits": "red", "reached": "red"}.get(state, "dim")
    return Text(text, style="dim" if text == NOT_ENOUGH else style)


def countdown(reset_ms: int | None, now_ms: int) -> str:
    """Return '2h 14m', '3d 4h', '12m', the reset-due words (past) or 'no reset time'."""
    if reset_ms is None:
        return "no reset time"
    left = (reset_ms - now_ms) / 1000
    if left <= 0:
        return RESET_DUE
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


def when(epoch_ms: int, now_ms: int, offset_minutes: int) -> str:
    """Return '15:40' on the same local day as now, else 'Thu 15:40'."""
    shift = timedelta(minutes=offset_minutes)
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc) + shift
    today = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc) + shift
    text = moment.strftime("%H:%M")
    return text if moment.date() == today.date() else f"{WEEKDAYS[moment.weekday()]} {text}"


def reset_words(reset_ms: int | None, now_ms: int, offset_minutes: int) -> tuple[str, str]:
    """Return ('resets Thu 14:59', '3d 4h'), or the reset-due words once the time has passed."""
    if reset_ms is None:
        return "no reset time", ""
    if reset_ms <= now_ms:
        return RESET_DUE, ""
    return f"resets {when(reset_ms, now_ms, offset_minutes)}", countdown(reset_ms, now_ms)


def bar(percent: float, style: str, width: int = BAR_WIDTH) -> Text:
    """Return a text progress bar (clamped to 0-100 for drawing)."""
    filled = round(max(0.0, min(percent, 100.0)) / 100 * width)
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def window_cells(window: dict[str, Any], width: int = BAR_WIDTH) -> tuple[Text, Text, Text]:
    """Return a window's label, bar and percentage cells, coloured by its level."""
    percent = float(window.get("utilization") or 0)
    style = colour(percent, window.get("severity"))
    label = Text(str(window.get("label") or window.get("id")))
    return label, bar(percent, style, width), Text(f"{percent:5.1f} %", style=f"bold {style}")


def _cell(text: str | Text, size: int, style: str = "") -> Text:
    cell = text.copy() if isinstance(text, Text) else Text(text, style=style)
    cell.pad_right(max(0, size - cell.cell_len))
    return cell


def _line(*cells: Text) -> Text:
    line = Text(GAP).join(c for c in cells if c.cell_len)
    line.rstrip()
    return line


def window_lines(doc: dict[str, Any], now_ms: int, width: int,
                 sparks: dict[str, str] | None = None) -> list[Text]:
    """Return the windows' lines: one row each when it fits in `width`, else two short lines."""
    meta = doc.get("meta") or {}
    offset = int(meta.get("utc_offset_minutes") or 0)
    windows = [w for w in doc.get("windows") or [] if isinstance(w, dict)]
    if not windows:
        return []
    label_w = max(len(str(w.get("label") or w.get("id"))) for w in windows)
    words = [reset_words(w.get("resets_at_ms"), now_ms, offset) for w in windows]
    reset_w = max(len(r) for r, _ in words)
    count_w = max(len(c) for _, c in words)
    spark_w = max((len(s) for s in (sparks or {}).values()), default=0)
    paces = [pace(w, now_ms, offset) for w in windows]
    others = [label_w, 7, reset_w, count_w, spark_w, max(p.cell_len for p in paces)]
    wide_bar = min(BAR_WIDTH, width - sum(others) - len(GAP) * len(others))
    if width > COMPACT_MAX and wide_bar >= WIDE_MIN_BAR:
        lines = []
        for w, (reset, left), said in zip(windows, words, paces, strict=True):
            label, drawn, percent = window_cells(w, wide_bar)
            spark = Text((sparks or {}).get(str(w.get("id")), ""), style="cyan")
            lines.append(_line(_cell(label, label_w), drawn, percent, _cell(reset, reset_w, "dim"),
                               _cell(left, count_w), _cell(spark, spark_w), said))
        return lines
    # Compact: the bar takes what the label, percentage and countdown leave.
    bar_w = max(MIN_BAR, min(BAR_WIDTH, width - label_w - 7 - count_w - 3 * len(GAP)))
    lines = []
    for w, (reset, left) in zip(windows, words, strict=True):
        label, drawn, percent = window_cells(w, bar_w)
        lines.append(_line(_cell(label, label_w), drawn, percent, Text(left)))
        second = [Text(reset, style="dim")]
        drawn_spark = (sparks or {}).get(str(w.get("id")), "")
        said = pace(w, now_ms, offset, short=True)
        room = width - 2 - len(reset) - len(said.plain) - 6
        if drawn_spark and room >= MIN_BAR:
            second.append(Text(drawn_spark[-room:], style="cyan"))
        if said.plain:
            second.append(said)
        lines.append(Text("  ") + Text(" · ", style="dim").join(second))
    return lines


SOURCE_NAMES = {"claude-code": "Claude Code", "oauth": "Claude Code's login",
                "web": "claude.ai session"}


MODE_WORDS = {"idle": "idle: ", "backoff": "backing off: ", "normal": ""}


def minutes_until(due_ms: float, now_ms: float) -> int:
    """Return whole minutes until `due_ms`, rounded up: "in 1 min" until it is due (page too)."""
    return int(-(-(due_ms - now_ms) // 60000))


def next_read(meta: dict[str, Any], now_ms: int | None = None) -> str:
    """Return when the next read is due and why ('idle: next read in 24 min'; '' if unknown)."""
    mode = meta.get("poll_mode")
    if mode == "paused":
        return "paused until the credentials change"
    due = meta.get("next_poll_at_ms")
    now = now_ms if now_ms is not None else meta.get("server_time_ms")
    if mode not in MODE_WORDS or not isinstance(due, (int, float)) or not now:
        return ""
    minutes = minutes_until(due, now)
    when_due = f"in {minutes} min" if minutes > 0 else "due now"
    return f"{MODE_WORDS[mode]}next read {when_due}"


def updated(age_ms: int) -> str:
    """Return the data's age as the page says it: 'just now', '4 min ago', '2 h 5 min ago'."""
    minutes = max(0, age_ms) // 60000
    if minutes == 0:
        return "updated just now"
    if minutes < 60:
        return f"updated {minutes} min ago"
    hours, rest = divmod(minutes, 60)
    return f"updated {hours} h{f' {rest} min' if rest else ''} ago"


def state_line(doc: dict[str, Any], now_ms: int | None = None, width: int | None = None) -> Text:
    """Return the line that says whether the data is live, stale, demo or missing, and why.

    Given a `width`, it breaks between its parts ("·"), never inside one.
    """
    meta = doc.get("meta") or {}
    state = meta.get("state", "unknown")
    now = now_ms if now_ms is not None else meta.get("server_time_ms") or 0
    fetched = meta.get("fetched_at_ms")
    styles = {"live": "green", "demo": "magenta", "stale": "yellow"}
    label = {"demo": "DEMO DATA", "not_configured": "not configured"}.get(state, state)
    parts = [Text(label.upper() if state == "demo" else label, style=styles.get(state, "red"))]
    plan = doc.get("plan") if isinstance(doc.get("plan"), dict) else None
    if plan and plan.get("name") and state != "demo":
        parts.append(Text(f"{plan['name']} plan", style="dim"))
    if fetched:
        parts.append(Text(updated(now - fetched), style="dim"))
    if meta.get("source") in SOURCE_NAMES:
        parts.append(Text(f"via {SOURCE_NAMES[meta['source']]}", style="dim"))
    if meta.get("last_error"):
        parts.append(Text(str(meta["last_error"]),
                          style="yellow" if doc.get("windows") else "red"))
    upcoming = next_read(meta, now_ms)
    if upcoming:
        parts.append(Text(upcoming, style="dim"))
    line = parts[0].copy()
    column = line.cell_len
    for part in parts[1:]:
        if width is not None and column + 3 + part.cell_len > width:
            line += Text("\n")
            column = 0
        else:
            line += Text(" · ", style="dim")
            column += 3
        line += part
        column += part.cell_len
    return line


def extra_line(doc: dict[str, Any]) -> list[Text]:
    """Return the extra-usage line ('Extra usage: 12.50 of 50.00 USD'), or []."""
    extra = doc.get("extra_usage")
    if not extra or not extra.get("enabled") or extra.get("used") is None:
        return []
    limit = f" of {extra['limit']:.2f}" if extra.get("limit") is not None else ""
    return [Text(f"Extra usage: {extra['used']:.2f}{limit} {extra.get('currency') or ''}".rstrip())]


def render_usage(doc: dict[str, Any], width: int = 120, now_ms: int | None = None) -> Group:
    """Return a renderable view of a `/usage` document for a terminal `width` columns wide."""
    meta = doc.get("meta") or {}
    now = now_ms if now_ms is not None else int(meta.get("server_time_ms") or 0)
    parts: list[Any] = window_lines(doc, now, width)
    parts += [*extra_line(doc), *no_windows_line(doc), state_line(doc, now_ms, width)]
    return Group(*parts)


def no_windows_line(doc: dict[str, Any]) -> list[Text]:
    """Return why there are no windows, unless `state_line` already says it (else [])."""
    if doc.get("windows"):
        return []
    message = doc.get("error") or "No usage windows."
    if message == (doc.get("meta") or {}).get("last_error"):
        return []
    return [Text(message, style="red")]
