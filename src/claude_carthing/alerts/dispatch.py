"""Watch the poller's snapshots on a thread of our own; send events to notifications and hook."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from claude_carthing.alerts import store
from claude_carthing.alerts.events import Event, Tracker, for_account, read_event
from claude_carthing.alerts.hooks import run_hook
from claude_carthing.poller import Snapshot
from claude_carthing.serving.payload import usage_document
from claude_carthing.settings import Settings

log = logging.getLogger(__name__)

MAX_WAIT_S = min(threading.TIMEOUT_MAX, 86400.0)  # the thread looks again at least daily

class Shower(Protocol):
    """Something that shows an event to the user (desktop notifications)."""

    def show(self, event: Event) -> bool:
        """Show it; return whether it was shown."""
        ...


class Alerts:
    """Turn snapshots into events (once each) and deliver them, off the polling thread."""

    def __init__(self, settings: Settings, *, demo: bool = False,
                 clock: Callable[[], float] = time.time, shower: Shower | None = None,
                 state_path: Path | None = None, account: str | None = None) -> None:
        self.settings = settings
        self.account = account  # named in every text when several accounts are shown
        self.clock = clock
        # Demo numbers are synthetic: no notification or hook for them unless asked.
        self.active = not demo or settings.notify == "demo"
        self.state_path = state_path or store.state_file(demo=demo)
        self.tracker = Tracker(settings.threshold_levels(), settings.notify_stale_minutes * 60.0,
                               store.load(self.state_path))
        if shower is None and settings.notify != "off":
            from claude_carthing.alerts.notifier import DesktopNotifications

            shower = DesktopNotifications()
        self.shower = shower if settings.notify != "off" else None
        self.paused_until = 0.0
        self.delivered: list[Event] = []  # the latest events, newest last (for the tray/tests)
        self.handled = 0  # snapshots handled so far
        # Only the newest snapshot waits: events compare it with what was announced, so a
        # slow hook or a thread not started yet never piles snapshots up in memory.
        self._pending: Snapshot | None = None
        self._busy = False
        self._stopping = False
        self._cond = threading.Condition()
        self._latest: Snapshot | None = None
        self._last_read: float | None = None
        self._thread: threading.Thread | None = None

    # --- called from other threads -------------------------------------------------------------

    def observe(self, snap: Snapshot) -> None:
        """Hand over a new snapshot (called by the poller after each read; never blocks)."""
        with self._cond:
            self._pending = snap
            self._cond.notify()

    def pause(self, seconds: float) -> None:
        """Show no notifications for a while (events are still remembered, hooks still run)."""
        self.paused_until = self.clock() + seconds
        log.info("Notifications paused for %d min.", int(seconds // 60))

    def start(self) -> None:
        """Start the delivery thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)
            self._thread.start()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until the latest snapshot has been handled (for tests and shutdown)."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Deliver what is pending, then stop the thread."""
        if self._thread is not None:
            with self._cond:
                self._stopping = True
                self._cond.notify()
            self._thread.join(timeout)
            self._thread = None

    # --- the delivery thread -------------------------------------------------------------------

    def _wait_s(self) -> float | None:
        due = self.tracker.stale_due_at(self._latest) if self._latest else None
        if due is None:
            return None
        # threading refuses waits past TIMEOUT_MAX (OverflowError); waking early is harmless.
        return min(max(0.0, due - self.clock()) + 0.5, MAX_WAIT_S)

    def _run(self) -> None:
        while True:
            with self._cond:
                # Sleep until a snapshot comes, or until the data turns stale for too long.
                try:
                    wait = self._wait_s()
                except Exception:  # a bad snapshot or setting must never end this thread
                    log.exception("Could not tell when usage data turns stale")
                    wait = MAX_WAIT_S
                self._cond.wait_for(lambda: self._pending is not None or self._stopping, wait)
                snap, self._pending = self._pending, None
                if snap is None and self._stopping:
                    return
                self._busy = True
            try:
                if snap is not None:
                    self._handle(snap, new_read=True)
                    self.handled += 1
                elif self._latest is not None:  # woken to check staleness; nothing new read
                    self._handle(self._latest, new_read=False)
            except Exception:
                log.exception("Could not deliver usage events")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _handle(self, snap: Snapshot, *, new_read: bool) -> None:
        self._latest = snap
        if not self.active:
            return
        now = self.clock()
        before = json.dumps(self.tracker.announced.to_json(), sort_keys=True)
        events = self.tracker.update(snap, now)
        if json.dumps(self.tracker.announced.to_json(), sort_keys=True) != before:
            store.save(self.state_path, self.tracker.announced)
        hook = self.settings.hook
        if (hook and new_read and self.settings.hook_on == "reads"
                and snap.last_error is None and snap.last_success_at != self._last_read):
            events.append(read_event(snap, now))
        self._last_read = snap.last_success_at
        document: dict[str, Any] | None = None
        for event in (for_account(e, self.account) for e in events):
            try:  # each event on its own: one that cannot be shown never costs the others
                if event.kind != "read":
                    log.info("Event: %s: %s — %s", event.kind, event.title, event.body)
                    self.delivered = [*self.delivered[-19:], event]
                    if self.shower is not None and now >= self.paused_until:
                        self.shower.show(event)
                if hook:
                    document = document or self._document(snap, now)
                    run_hook(hook, event, document, self.settings.hook_timeout)
            except Exception:
                log.exception("Could not deliver the %s event", event.kind)

    def _document(self, snap: Snapshot, now: float) -> dict[str, Any]:
        """Return the `/usage` document a hook gets (`?account=` of this account's, if named)."""
        document = usage_document(snap, now)
        if self.account is not None:
            document["meta"]["account"] = self.account
        return document
