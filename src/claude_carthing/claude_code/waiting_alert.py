"""A desktop notification when a Claude Code session has waited for you longer than
`notify_waiting_minutes` (once per wait)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from claude_carthing.alerts.events import Event, for_account
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.claude_code.sessions_text import session_line
from claude_carthing.i18n import t

if TYPE_CHECKING:
    from claude_carthing.alerts.dispatch import Alerts

log = logging.getLogger(__name__)
CHECK_EVERY_S = 5.0


class WaitingAlerts:
    """Look at the sessions every few seconds; announce each long wait once."""

    def __init__(self, sessions: Sessions, alerts: Alerts, after_minutes: int,
                 clock: Callable[[], float]) -> None:
        self.sessions = sessions
        self.alerts = alerts
        self.after_s = after_minutes * 60.0
        self.clock = clock
        self.announced: set[tuple[str, int]] = set()  # (session id, since_ms) of each wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> list[Event]:
        """Announce every wait that has gone on too long; return the new events."""
        if self.after_s <= 0 or not self.alerts.active:
            return []
        now = self.clock()
        events = []
        waiting = [s for s in self.sessions.to_json() if s["state"] == "waiting"]
        for session in waiting:
            key = (session["session_id"], session["since_ms"])
            if key in self.announced or now * 1000 - session["since_ms"] < self.after_s * 1000:
                continue
            self.announced.add(key)
            name = session["project"] or "Claude Code"
            event = Event("waiting", t("{name} is waiting for you", name=name),
                          session_line(session, int(now * 1000)), urgency="critical", at=now)
            # With several accounts a session says whose Claude Code it runs in.
            events.append(for_account(event, session.get("account")))
        self.announced &= {(s["session_id"], s["since_ms"]) for s in waiting}
        for event in events:
            log.info("Event: waiting: %s", event.title)
            shower = self.alerts.shower
            if shower is not None and self.alerts.paused_until <= now:
                shower.show(event)
            self.alerts.delivered.append(event)
        return events

    def start(self) -> None:
        """Check every few seconds on a thread of our own."""
        if self._thread is None and self.after_s > 0:
            self._thread = threading.Thread(target=self._run, name="waiting-alerts", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop checking."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(CHECK_EVERY_S):
            try:
                self.check()
            except Exception:
                log.exception("Could not check the waiting sessions")
