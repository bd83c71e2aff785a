"""Synthetic usage that moves over time, for trying the display without an account.

The numbers follow a working day (they climb in daytime, hold still at night), are a pure
function of the time, and come with a synthetic past (`seed_history`) so the demo's charts and
projections have something to show from the first second. The state says `demo` everywhere.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from claude_carthing.models import ExtraUsage, Plan, Usage, Window
from claude_carthing.upstream.sources import Reading

if TYPE_CHECKING:
    from claude_carthing.history import History

FIVE_HOURS = 5 * 3600
DAY = 86400
WEEK = 7 * DAY
PAST_STEP_S = 300  # five-minute readings, like the real poller's
OLD_STEP_S = 1800  # coarser beyond the last day: the weekly charts need no more


def _at(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc)


def _worked(start: float, end: float) -> float:
    """Return the share of a day's work done between two instants (8:00-20:00 UTC, smooth)."""
    def cumulative(t: float) -> float:
        days, rest = divmod(t, DAY)
        hour = rest / 3600
        part = min(max((hour - 8) / 12, 0.0), 1.0)
        return days + (part - math.sin(2 * math.pi * part) / (2 * math.pi))
    return cumulative(end) - cumulative(start)


def demo_usage(now: float) -> Usage:
    """Return the demo reading for epoch seconds `now` (deterministic in `now`)."""
    session_start = now - now % FIVE_HOURS
    week_start = now - now % WEEK
    session_end = session_start + FIVE_HOURS
    week_end = week_start + WEEK
    # A busy session burns about 70 % in five working hours; a quiet one (night) stays low.
    session = 4 + 140 * _worked(session_start, now) + 10 * (now - session_start) / FIVE_HOURS
    week = _worked(week_start, now) / 7  # 0 at the week's start, 1 after seven working days
    return Usage(
        windows=(
            Window("five_hour", "5-hour", "session", round(min(session, 100.0), 1),
                   _at(session_end), "normal"),
            Window("seven_day", "Weekly", "weekly", round(6 + 88 * week, 1),
                   _at(week_end), "normal"),
            Window("seven_day_fable", "Weekly · Fable", "weekly", round(81 + 17 * week, 1),
                   _at(week_end), "warning", True, "Fable"),
            Window("seven_day_sonnet", "Weekly · Sonnet", "weekly", round(3 + 40 * week, 1),
                   _at(week_end), "normal", False, "Sonnet"),
        ),
        extra_usage=ExtraUsage(True, round(12.5 + 30 * week, 2), 50.0, None, "USD"),
    )


def seed_history(history: History, now: float) -> int:
    """Fill an empty demo history with a synthetic past week; return the readings written."""
    if history.count():
        return 0  # a demo that ran before already has its past
    start = now - WEEK
    times = list(range(int(start), int(now - DAY), OLD_STEP_S))
    times += range(int(now - DAY), int(now), PAST_STEP_S)
    for at in times:
        history.append(at, demo_usage(at))
    return len(times)


class DemoSource:
    """A usage source that never touches the network; readings are labelled `demo`."""

    name = "demo"

    def __init__(self, clock: Callable[[], float] = time.time, account: str = "") -> None:
        self._clock = clock
        # Another account's demo numbers run some hours ahead, so the accounts differ.
        self._ahead = 3600.0 * (sum(map(ord, account)) % 97) if account else 0.0

    def read(self) -> Reading:
        """Return the demo reading for now."""
        return Reading(demo_usage(self._clock() + self._ahead), "demo", Plan("Demo", None))

    def close(self) -> None:
        """Nothing to release."""
