"""A clock the test sets by hand (epoch seconds), for the poller's wall and monotonic clocks."""

from __future__ import annotations


class Clock:
    """Returns `now`, which the test moves; starts at a fixed epoch second."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now
