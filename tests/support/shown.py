"""A stand-in for the desktop notifications: it keeps every event it was asked to show."""

from __future__ import annotations

from claude_carthing.alerts.events import Event


class Recorder:
    """Shows nothing; remembers every event, in order."""

    def __init__(self) -> None:
        self.shown: list[Event] = []

    def show(self, event: Event) -> bool:
        """Keep the event; say it was shown."""
        self.shown.append(event)
        return True
