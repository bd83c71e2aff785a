"""Upstream usage bodies (Claude's own shape) with reset times relative to now."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any


def iso(epoch_s: float) -> str:
    """Return an ISO 8601 UTC time as Claude writes it."""
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc).isoformat()


def window(util: float, resets_in_s: float | None, now: float | None = None) -> dict[str, Any]:
    """A legacy window object resetting `resets_in_s` from now (None = no reset time)."""
    now = time.time() if now is None else now
    return {"utilization": util, "resets_at": None if resets_in_s is None else iso(now + resets_in_s)}


def usage(five_hour: float = 23.0, seven_day: float = 41.0, sonnet: float | None = 86.0,
          extra_used_minor: int | None = 1250, now: float | None = None) -> dict[str, Any]:
    """A plan with a 5-hour, a weekly and (optionally) a Sonnet weekly window, plus extra usage."""
    now = time.time() if now is None else now
    body: dict[str, Any] = {
        "five_hour": window(five_hour, 2 * 3600 + 14 * 60 + 40, now),
        "seven_day": window(seven_day, 3 * 86400 + 4 * 3600 + 30 * 60, now),
        "seven_day_sonnet": None if sonnet is None else window(sonnet, 3 * 86400 + 4 * 3600 + 30 * 60, now),
        "seven_day_opus": None,
    }
    if extra_used_minor is not None:
        body["extra_usage"] = {"is_enabled": True, "monthly_limit": 5000, "used_credits": extra_used_minor,
                               "utilization": extra_used_minor / 50, "currency": "USD", "decimal_places": 2}
    return body
