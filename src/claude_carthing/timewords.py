"""Time left in words ("2h 14m"), without rich: alerts and the tray say it too, and `serve`
should not load a terminal library to do so."""

from __future__ import annotations

__all__ = ["countdown"]


def countdown(reset_ms: int | None, now_ms: int) -> str:
    """Return '2h 14m', '3d 4h', '12m', 'soon' (past) or 'no reset time'."""
    if reset_ms is None:
        return "no reset time"
    left = (reset_ms - now_ms) / 1000
    if left <= 0:
        return "soon"
    days, rest = divmod(int(left), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{max(minutes, 1)}m"
