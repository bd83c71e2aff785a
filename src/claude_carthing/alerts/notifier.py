"""Desktop notifications through `desktop-notifier` (the optional `[notify]` extra)."""

from __future__ import annotations

import logging
import platform
import subprocess
from typing import Any

from claude_carthing.alerts.events import Event

log = logging.getLogger(__name__)

APP_NAME = "claude-carthing"
URGENCY = {"low": "Low", "normal": "Normal", "critical": "Critical"}
OSASCRIPT_TIMEOUT_S = 10.0


def notification_args(event: Event) -> dict[str, Any]:
    """Return what `desktop_notifier.Notification` is asked for an event, on every OS."""
    return {"title": event.title, "message": event.body, "urgency": URGENCY[event.urgency]}


def _applescript_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def osascript_argv(event: Event) -> list[str]:
    """Return the command that shows an event on macOS when Python is not an app bundle."""
    script = (f"display notification {_applescript_text(event.body)} "
              f"with title {_applescript_text(event.title)}")
    return ["osascript", "-e", script]


class DesktopNotifications:
    """Show events as desktop notifications; say once when they cannot be shown."""

    def __init__(self, app_name: str = APP_NAME) -> None:
        self.app_name = app_name
        self._notifier: Any = None
        self._mode: str | None = None  # "library", "osascript" or "none"
        self._failing = False

    def _setup(self) -> str:
        try:
            from desktop_notifier import DesktopNotifierSync
            from desktop_notifier.main import get_backend_class
        except ImportError:
            log.info("Desktop notifications are off: install them with "
                     'pip install "claude-carthing[notify]".')
            return "none"
        # The library logs a traceback for every failed send; we say it once, in words.
        logging.getLogger("desktop_notifier").setLevel(logging.CRITICAL)
        backend = get_backend_class().__name__
        if platform.system() == "Darwin" and backend == "DummyNotificationCenter":
            return "osascript"  # Notification Center needs an app bundle; AppleScript does not
        self._notifier = DesktopNotifierSync(app_name=self.app_name)
        return "library"

    def show(self, event: Event) -> bool:
        """Show one notification; return whether the OS took it. Never raises."""
        if self._mode is None:
            self._mode = self._setup()
        try:
            shown = self._send(event)
        except Exception as exc:  # noqa: BLE001 - a notification must never stop the service
            log.debug("Notification failed: %s", exc)
            shown = False
        if self._mode == "none":
            return False  # not installed: `_setup` said so once, with how to install them
        if not shown and not self._failing:
            log.warning("Desktop notifications cannot be shown here (no notification service "
                        "or session bus); carrying on without them.")
        elif shown and self._failing:
            log.info("Desktop notifications work again.")
        self._failing = not shown
        return shown

    def _send(self, event: Event) -> bool:
        if self._mode == "osascript":
            done = subprocess.run(osascript_argv(event), capture_output=True, check=False,
                                  timeout=OSASCRIPT_TIMEOUT_S)
            return done.returncode == 0
        if self._mode != "library":
            return False
        from desktop_notifier import Notification, Urgency

        args = notification_args(event)
        dispatched: list[bool] = []
        notification = Notification(args["title"], args["message"],
                                    urgency=getattr(Urgency, args["urgency"]),
                                    on_dispatched=lambda: dispatched.append(True))
        self._notifier.send_notification(notification)  # logs instead of raising on failure
        return bool(dispatched)
