"""A status line reading from Claude Code, read as the 5-hour and weekly windows."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from claude_carthing.models import Window

SOURCE = "statusline"
WINDOWS = {"five_hour": ("5-hour", "session"), "seven_day": ("Weekly", "weekly")}
DECIMALS = 2  # 14.000000000000002 is 14


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def windows_from_statusline(rate_limits: Any, now: float) -> tuple[Window, ...]:
    """Return the windows a status line's `rate_limits` tells about.

    A window that is absent, has no percentage, or whose `resets_at` (Unix seconds) has passed
    is left out: absence never reads as 0 %.
    """
    if not isinstance(rate_limits, dict):
        return ()
    found = []
    for key, (label, group) in WINDOWS.items():
        entry = rate_limits.get(key)
        if not isinstance(entry, dict):
            continue
        pct = _number(entry.get("used_percentage"))
        if pct is None or pct < 0:
            continue
        reset = _number(entry.get("resets_at"))
        if reset is not None and reset > 1e11:  # milliseconds, defensively
            reset /= 1000
        if reset is not None and reset <= now:
            continue  # a stale window from an idle session: its period is over
        resets_at = datetime.fromtimestamp(reset, tz=timezone.utc) if reset else None
        found.append(Window(key, label, group, round(pct, DECIMALS), resets_at))
    return tuple(found)


def reading_time(at_ms: Any, received: float) -> float:
    """Return when a reading was taken: the sender's clock, never later than its arrival."""
    sent = _number(at_ms)
    if sent is None:
        return received
    return min(sent / 1000, received)
