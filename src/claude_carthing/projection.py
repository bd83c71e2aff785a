"""Where a window is heading at the current pace: the one rule the page, `status` and `--watch` use.

Never a number above 100 %: a window either reaches its limit at a time before the reset, or
lasts until the reset. Without enough recent history (3 readings over 30 minutes for the 5-hour
window, over 4 hours for weekly ones) the answer is "not enough history".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
PERIOD_MS = {"session": 5 * HOUR_MS}
WEEK_MS = 7 * DAY_MS
MIN_POINTS = 3
# How far back the pace is measured, and the shortest span that says anything.
LOOKBACK_MS = {"session": HOUR_MS}
MIN_SPAN_MS = {"session": 30 * 60_000}
WEEKLY_LOOKBACK_MS = DAY_MS
WEEKLY_MIN_SPAN_MS = 4 * HOUR_MS
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOT_ENOUGH = "pace: not enough history yet"
# A reset time that has passed: the next reading brings the new period (page, status, alerts).
RESET_DUE = "reset due, waiting for the next reading"

# Colour levels: green below 50 %, yellow from 50 %, red from 80 %; Anthropic's severity wins
# when it is stronger.
LEVELS = ("ok", "warn", "crit")
YELLOW_FROM = 50.0
RED_FROM = 80.0
SEVERITY_LEVEL = {"warning": 1, "critical": 2}


def level(utilization: float | None, severity: str | None = None) -> str:
    """Return "ok", "warn" or "crit" for a utilization and the upstream's own severity."""
    used = float(utilization or 0)
    by_use = 2 if used >= RED_FROM else (1 if used >= YELLOW_FROM else 0)
    return LEVELS[max(by_use, SEVERITY_LEVEL.get(str(severity), 0))]


def is_session(window_id: str, group: str | None) -> bool:
    """Return True for the 5-hour window."""
    return group == "session" or window_id == "five_hour"


def period_ms(window_id: str, group: str | None) -> int:
    """Return a window's length: 5 hours for the session window, a week for the others."""
    return PERIOD_MS["session"] if is_session(window_id, group) else WEEK_MS


def _clock(at_ms: float, now_ms: float, offset_min: int) -> str:
    moment = datetime.fromtimestamp(at_ms / 1000, tz=timezone.utc) + timedelta(minutes=offset_min)
    today = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc) + timedelta(minutes=offset_min)
    text = moment.strftime("%H:%M")
    return text if moment.date() == today.date() else f"{WEEKDAYS[moment.weekday()]} {text}"


def current_run(points: Sequence[Sequence[float]], start_ms: float) -> list[tuple[float, float]]:
    """Return the readings of the current window: since its start, and since the last drop."""
    run: list[tuple[float, float]] = []
    for at, used in reversed([(float(p[0]), float(p[1])) for p in points]):
        if at < start_ms or (run and used > run[0][1] + 0.5):
            break
        run.insert(0, (at, used))
    return run


def project(window: dict[str, Any], points: Sequence[Sequence[float]], now_ms: float,
            offset_min: int = 0) -> dict[str, Any]:
    """Return {state, at_ms, text} for a `/usage` window and its readings [(ms, %), ...].

    state: "reached" (at or over the limit), "hits" (reaches 100 % at at_ms, before the reset),
    "lasts" (stays under the limit until the reset at at_ms, ending near `end_percent`),
    "due" (the reset time has passed: waiting for the reading of the new period),
    "unknown" (no reset time, or not enough history: text says which).
    """
    wid = str(window.get("id"))
    group = window.get("group")
    reset = window.get("resets_at_ms")
    used = float(window.get("utilization") or 0)
    if reset is None:
        return {"state": "unknown", "at_ms": None, "text": "no reset time"}
    if reset <= now_ms:
        return {"state": "due", "at_ms": int(reset), "text": RESET_DUE}
    reset_text = _clock(reset, now_ms, offset_min)
    if used >= 100:
        return {"state": "reached", "at_ms": int(reset),
                "text": f"limit reached until the reset at {reset_text}"}
    session = is_session(wid, group)
    lookback = LOOKBACK_MS["session"] if session else WEEKLY_LOOKBACK_MS
    min_span = MIN_SPAN_MS["session"] if session else WEEKLY_MIN_SPAN_MS
    run = current_run(points, reset - period_ms(wid, group))
    recent = [p for p in run if p[0] >= run[-1][0] - lookback] if run else []
    if len(recent) < MIN_POINTS or recent[-1][0] - recent[0][0] < min_span:
        return {"state": "unknown", "at_ms": None, "text": NOT_ENOUGH}
    first, last = recent[0], recent[-1]
    rate = (last[1] - first[1]) / (last[0] - first[0])  # % per ms
    if rate > 0:
        hit = last[0] + (100 - last[1]) / rate
        if hit < reset:
            return {"state": "hits", "at_ms": int(hit), "end_percent": 100.0,
                    "text": f"100 % at {_clock(hit, now_ms, offset_min)}, before the reset"}
    end = last[1] + max(rate, 0.0) * (reset - last[0])
    return {"state": "lasts", "at_ms": int(reset), "end_percent": round(min(end, 100.0), 1),
            "text": f"lasts until the reset at {reset_text}"}
