"""Synthetic usage that moves over time, for trying the display without an account."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, timezone

from claude_carthing.models import ExtraUsage, Plan, Usage, Window
from claude_carthing.sources import Reading

FIVE_HOURS = 5 * 3600
WEEK = 7 * 86400


def _at(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc)


def demo_usage(now: float) -> Usage:
    """Return the demo reading for epoch seconds `now` (deterministic in `now`)."""
    session_phase = (now % FIVE_HOURS) / FIVE_HOURS
    week_phase = (now % WEEK) / WEEK
    session_end = now - now % FIVE_HOURS + FIVE_HOURS
    week_end = now - now % WEEK + WEEK
    wobble = math.sin(now / 900.0)
    return Usage(
        windows=(
            Window("five_hour", "5-hour", "session", round(8 + 70 * session_phase, 1),
                   _at(session_end), "normal"),
            Window("seven_day", "Weekly", "weekly", round(30 + 40 * week_phase, 1),
                   _at(week_end), "normal"),
            Window("seven_day_fable", "Weekly · Fable", "weekly", round(86 + 5 * wobble, 1),
                   _at(week_end), "warning", True, "Fable"),
            Window("seven_day_sonnet", "Weekly · Sonnet", "weekly",
                   round(12 + 20 * week_phase, 1), _at(week_end), "normal", False, "Sonnet"),
        ),
        extra_usage=ExtraUsage(True, round(12.5 + 30 * week_phase, 2), 50.0, None, "USD"),
    )


class DemoSource:
    """A usage source that never touches the network; readings are labelled `demo`."""

    name = "demo"

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    def read(self) -> Reading:
        """Return the demo reading for now."""
        return Reading(demo_usage(self._clock()), "demo", Plan("Demo", None))

    def close(self) -> None:
        """Nothing to release."""
