"""How long to wait before the next read: the normal interval while usage moves, stretching step
by step to a ceiling while it does not, back to normal at once when something happens."""

from __future__ import annotations

from dataclasses import dataclass, field

from claude_carthing.models import Usage

IDLE_AFTER = 2  # unchanged readings in a row (10 minutes at 300 s) before stretching...
QUIET_IDLE_AFTER = 1  # ...or one, when Claude Code was not used on this PC since the last one
STRETCH = 2.0  # each further unchanged reading doubles the wait, up to the ceiling
RESET_GRACE_S = 30.0  # read this long after a reset time, once Claude has rolled the window


def _levels(usage: Usage) -> dict[str, float]:
    return {w.id: round(w.utilization, 3) for w in usage.windows}


def _resets(usage: Usage) -> dict[str, float]:
    return {w.id: w.resets_at.timestamp() for w in usage.windows if w.resets_at is not None}


@dataclass
class Cadence:
    """The adaptive wait between successful reads (failures have their own backoff)."""

    normal: float
    ceiling: float
    current: float = 0.0
    unchanged: int = 0
    _levels: dict[str, float] | None = field(default=None, repr=False)
    _resets: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.ceiling = max(self.ceiling, self.normal)
        self.current = self.normal

    @property
    def idle(self) -> bool:
        """True while the wait is stretched because usage has not moved."""
        return self.current > self.normal

    def snap(self) -> None:
        """Go back to the normal interval (a manual refresh, local activity, a change)."""
        self.current = self.normal
        self.unchanged = 0

    def on_reading(self, usage: Usage, now: float, *, quiet: bool = False) -> float:
        """Take a successful reading at epoch seconds `now`; return the wait until the next.

        `quiet`: Claude Code is watched and was not used since the previous reading.
        """
        levels = _levels(usage)
        if self._levels is None or self._moved(levels, now):
            self.snap()
        else:
            self.unchanged += 1
            if self.unchanged >= (QUIET_IDLE_AFTER if quiet else IDLE_AFTER):
                self.current = min(self.ceiling, self.current * STRETCH)
        self._levels = levels
        self._resets = _resets(usage)
        return self.current

    def _moved(self, levels: dict[str, float], now: float) -> bool:
        """Did usage move? A window that fell back after its reset time passed did not."""
        before = self._levels or {}
        if set(levels) != set(before):
            return True
        for window_id, level in levels.items():
            if level == before[window_id]:
                continue
            reset = self._resets.get(window_id)
            if reset is not None and reset <= now and level < before[window_id]:
                continue  # the expected drop of a reset, not someone using Claude
            return True
        return False

    def next_reset(self, after: float) -> float | None:
        """Return when the next read is due for a reset passing after `after` (epoch s)."""
        due = [at + RESET_GRACE_S for at in self._resets.values() if at + RESET_GRACE_S > after]
        return min(due) if due else None
