"""A poller that tells listeners about every snapshot it makes, without changing the poller."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from claude_carthing.poller import Poller, Snapshot

log = logging.getLogger(__name__)

Listener = Callable[[Snapshot], None]


class ObservedPoller(Poller):
    """`Poller`, plus listeners called (on the polling thread) after each read's snapshot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listeners: list[Listener] = []
        # Told of a snapshot changed by a Claude Code status line reading (not a read upstream,
        # so not for the read counter): the notifications and the tray icon follow it at once.
        self.reading_listeners: list[Listener] = []

    def poll_once(self) -> Snapshot:
        """Read as `Poller` does, then hand the new snapshot to every listener."""
        snap = super().poll_once()
        for listener in list(self.listeners):
            try:
                listener(snap)
            except Exception:  # a listener's bug must never stop polling
                log.exception("A snapshot listener failed")
        return snap

    def take_local(self, windows: Any, at: float, source: str) -> bool:
        """Take a status line reading as `Poller` does; tell the reading listeners if it showed."""
        taken = super().take_local(windows, at, source)
        if taken:
            snap = self.snapshot()
            for listener in list(self.reading_listeners):
                try:
                    listener(snap)
                except Exception:
                    log.exception("A snapshot listener failed")
        return taken
