"""Terminal rendering of a `/usage` document with rich: the sentences `status` and `--watch` share.

Wider than 80 columns a window is one row (label, bar, percentage, reset, countdown, pace); at 80
columns and below it is two: label, bar, percentage and countdown, then the reset and a short pace.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from claude_carthing import i18n
from claude_carthing.i18n import t
from claude_carthing.projection import NOT_ENOUGH, level, project

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


def reset_due() -> str:
    """Return the words for a reset time that has passed (page, status and alerts say them)."""
    return t("reset due, waiting for the next reading")


def not_enough() -> str:
    """Return the words for a window without enough history for a pace."""
    return t("pace: not enough history yet")


def pace_words(found: dict[str, Any], now_ms: int, offset_minutes: int,
               short: bool = False) -> str:
    """Return a projection ({state, at_ms, text}) in words, in the active language."""
    state = str(found.get("state"))
    at = found.get("at_ms")
    moment = when(int(at), now_ms, offset_minutes) if isinstance(at, (int, float)) else ""
    full = i18n.pct(100)
    if state == "due":
        return ""
    if state == "hits" and moment:
        if short:
            return t("{percent} at {time}", percent=full, time=moment)
        return t("{percent} at {time}, before the reset", percent=full, time=moment)
    if state == "lasts":
        return t("lasts until the reset") if short or not moment else t(
            "lasts until the reset at {time}", time=moment)
    if state == "reached":
        return t("limit reached") if short or not moment else t(
            "limit reached until the reset at {time}", time=moment)
    if found.get("text") == NOT_ENOUGH:
        return not_enough()
    if found.get("text") == "no reset time":
        return t("no reset time")
    return str(found.get("text") or "")


def pace(window: dict[str, Any], now_ms: int, offset_minutes: int, short: bool = False) -> Text:
    """Return the window's projection in words ('' once the reset is due: the reset says it)."""
    found = projection_of(window, now_ms, offset_minutes)
    state = str(found.get("state"))
    text = pace_words(found, now_ms, offset_minutes, short)
    style = {"hits": "red", "reached": "red"}.get(state, "dim")
    return Text(text, style="dim" if found.get("text") == NOT_ENOUGH else style)


def countdown(reset_ms: int | None, now_ms: int) -> str:
    """Return '2h 14m', '3d 4h', '12m', the reset-due words (past) or 'no reset time'."""
    if reset_ms is None:
        return t("no reset time")
    left = (reset_ms - now_ms) / 1000
    if left <= 0:
        return reset_due()
    days, rest = divmod(int(left), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return t("{d}d {h}h", d=days, h=hours)
    if hours:
        return t("{h}h {m}m", h=hours, m=minutes)
    return t("{m}m", m=max(minutes, 1))


def local_clock(epoch_ms: int, offset_minutes: int) -> str:
    """Return the time of day of an epoch time in the PC's local time, as the language says it."""
    return i18n.clock(epoch_ms, offset_minutes)


def when(epoch_ms: int, now_ms: int, offset_minutes: int) -> str:
    """Return '15:40' on the same local day as now, else 'Thu 15:40' (in the language's way)."""
    return i18n.when(epoch_ms, now_ms, offset_minutes)


def reset_words(reset_ms: int | None, now_ms: int, offset_minutes: int) -> tuple[str, str]:
    """Return ('resets Thu 14:59', '3d 4h'), or the reset-due words once the time has passed."""
    if reset_ms is None:
        return t("no reset time"), ""
    if reset_ms <= now_ms:
        return reset_due(), ""
    return t("resets {time}", time=when(reset_ms, now_ms, offset_minutes)), countdown(reset_ms,
                                                                                     now_ms)


def bar(percent: float, style: str, width: int = BAR_WIDTH) -> Text:
    """Return a text progress bar (clamped to 0-100 for drawing)."""
    filled = round(max(0.0, min(percent, 100.0)) / 100 * width)
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def window_cells(window: dict[str, Any], width: int = BAR_WIDTH) -> tuple[Text, Text, Text]:
    """Return a window's label, bar and percentage cells, coloured by its level."""
    percent = float(window.get("utilization") or 0)
    style = colour(percent, window.get("severity"))
    label = Text(i18n.window_label(window.get("id"), window.get("label")))
    shown = i18n.pct(percent, 1)
    return label, bar(percent, style, width), Text(f"{shown:>7}", style=f"bold {style}")


def _width(text: str) -> int:
    """Return the columns a text takes (CJK characters take two)."""
    return Text(text).cell_len


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
    label_w = max(_width(i18n.window_label(w.get("id"), w.get("label"))) for w in windows)
    words = [reset_words(w.get("resets_at_ms"), now_ms, offset) for w in windows]
    reset_w = max(_width(r) for r, _ in words)
    count_w = max(_width(c) for _, c in words)
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
        room = width - 2 - _width(reset) - said.cell_len - 6
        if drawn_spark and room >= MIN_BAR:
            second.append(Text(drawn_spark[-room:], style="cyan"))
        if said.plain:
            second.append(said)
        lines.append(Text("  ") + Text(" · ", style="dim").join(second))
    return lines


def source_name(source: Any) -> str:
    """Return where the numbers come from in words ('' for an unknown source)."""
    names = {"claude-code": "Claude Code", "oauth": t("Claude Code's login"),
             "web": t("claude.ai session")}
    return names.get(str(source), "")


MODES = ("idle", "backoff", "normal")


def minutes_until(due_ms: float, now_ms: float) -> int:
    """Return whole minutes until `due_ms`, rounded up: "in 1 min" until it is due (page too)."""
    return int(-(-(due_ms - now_ms) // 60000))


def next_read(meta: dict[str, Any], now_ms: int | None = None) -> str:
    """Return when the next read is due and why ('idle: next read in 24 min'; '' if unknown)."""
    mode = meta.get("poll_mode")
    if mode == "paused":
        return t("paused until the credentials change")
    due = meta.get("next_poll_at_ms")
    now = now_ms if now_ms is not None else meta.get("server_time_ms")
    if mode not in MODES or not isinstance(due, (int, float)) or not now:
        return ""
    minutes = minutes_until(due, now)
    upcoming = t("next read in {n} min", n=minutes) if minutes > 0 else t("next read due now")
    if mode == "idle":
        return t("idle: {next}", next=upcoming)
    if mode == "backoff":
        return t("backing off: {next}", next=upcoming)
    return upcoming


def updated(age_ms: int) -> str:
    """Return the data's age as the page says it: 'just now', '4 min ago', '2 h 5 min ago'."""
    minutes = max(0, age_ms) // 60000
    if minutes == 0:
        return t("updated just now")
    if minutes < 60:
        return t("updated {m} min ago", m=minutes)
    hours, rest = divmod(minutes, 60)
    if rest:
        return t("updated {h} h {m} min ago", h=hours, m=rest)
    return t("updated {h} h ago", h=hours)


def state_name(state: str) -> str:
    """Return a state in words: 'live', 'stale', 'DEMO DATA', 'not configured', ..."""
    names = {"live": t("live"), "stale": t("stale"), "demo": t("DEMO DATA"),
             "waiting": t("waiting"), "not_configured": t("not configured"),
             "error": t("error")}
    return names.get(state, state)


def state_line(doc: dict[str, Any], now_ms: int | None = None, width: int | None = None) -> Text:
    """Return the line that says whether the data is live, stale, demo or missing, and why.

    Given a `width`, it breaks between its parts ("·"), never inside one.
    """
    meta = doc.get("meta") or {}
    state = meta.get("state", "unknown")
    now = now_ms if now_ms is not None else meta.get("server_time_ms") or 0
    fetched = meta.get("fetched_at_ms")
    styles = {"live": "green", "demo": "magenta", "stale": "yellow"}
    parts = [Text(state_name(str(state)), style=styles.get(state, "red"))]
    plan = doc.get("plan") if isinstance(doc.get("plan"), dict) else None
    if plan and plan.get("name") and state != "demo":
        parts.append(Text(t("{name} plan", name=plan["name"]), style="dim"))
    if fetched:
        parts.append(Text(updated(now - fetched), style="dim"))
    if source_name(meta.get("source")):
        parts.append(Text(t("via {source}", source=source_name(meta["source"])), style="dim"))
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
    """Return the extra-usage line ('Extra usage: $12.50 of $50.00'), or []."""
    extra = doc.get("extra_usage")
    if not extra or not extra.get("enabled") or extra.get("used") is None:
        return []
    currency = extra.get("currency") or "USD"
    used = i18n.money(float(extra["used"]), currency)
    if extra.get("limit") is not None:
        limit = i18n.money(float(extra["limit"]), currency)
        return [Text(t("Extra usage: {used} of {limit}", used=used, limit=limit))]
    return [Text(t("Extra usage: {used}", used=used))]


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
    message = doc.get("error") or t("No usage windows.")
    if message == (doc.get("meta") or {}).get("last_error"):
        return []
    return [Text(message, style="red")]
