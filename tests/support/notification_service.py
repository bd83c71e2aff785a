"""A stand-in org.freedesktop.Notifications service that records every notification it gets.

Run as `python -m tests.support.notification_service RECORD_FILE` with
DBUS_SESSION_BUS_ADDRESS pointing at a private bus; prints "ready" once it owns the name.
"""
# ruff: noqa: F722, F821 - dbus-fast reads D-Bus signatures from string annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Notifications(ServiceInterface):
    """The methods desktop-notifier calls, per the freedesktop notification spec."""

    def __init__(self, record: Path) -> None:
        super().__init__(NAME)
        self.record = record
        self.count = 0

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":
        self.count += 1
        plain: dict[str, Any] = {k: v.value for k, v in hints.items()
                                 if isinstance(v.value, (int, str, float, bool))}
        line = {"id": self.count, "app_name": app_name, "summary": summary, "body": body,
                "urgency": plain.get("urgency"), "hints": plain, "actions": actions,
                "expire_timeout": expire_timeout}
        with self.record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
        return self.count

    @method()
    def GetCapabilities(self) -> "as":
        return ["body", "actions"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["stand-in", "claude-carthing tests", "1.0", "1.2"]

    @method()
    def CloseNotification(self, notification_id: "u") -> None:
        return None

    @signal()
    def NotificationClosed(self) -> "uu":
        return [0, 0]

    @signal()
    def ActionInvoked(self) -> "us":
        return [0, ""]


async def main(record: Path) -> None:
    """Own the name on the session bus and serve until killed."""
    bus = await MessageBus().connect()
    bus.export(PATH, Notifications(record))
    await bus.request_name(NAME)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
