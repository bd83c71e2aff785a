"""Notice that the PC slept: the monotonic clock stands still during a suspend (Linux, macOS),
a clock that counts sleep does not."""

from __future__ import annotations

import time
from collections.abc import Callable

WAKE_AFTER_S = 60.0  # a jump smaller than this is clock drift or an NTP step, not a night asleep


def boottime() -> Callable[[], float] | None:
    """Return Linux's CLOCK_BOOTTIME (monotonic, counting suspend), or None where there is none."""
    clock_id = getattr(time, "CLOCK_BOOTTIME", None)
    if clock_id is None:
        return None

    def read() -> float:
        return time.clock_gettime(clock_id)

    try:
        read()
    except OSError:
        return None
    return read


class WakeWatch:
    """Compare a clock that counts sleep with one that does not; report how long the PC slept."""

    def __init__(self, monotonic: Callable[[], float], counts_sleep: Callable[[], float],
                 threshold_s: float = WAKE_AFTER_S) -> None:
        self._monotonic = monotonic
        self._counts_sleep = counts_sleep
        self._threshold = threshold_s
        self._gap = counts_sleep() - monotonic()

    def slept(self) -> float:
        """Return seconds asleep since the previous call, or 0.0 when no sleep was noticed."""
        gap = self._counts_sleep() - self._monotonic()
        jump, self._gap = gap - self._gap, gap  # a clock set back only lowers the baseline
        return jump if jump > self._threshold else 0.0
