"""Fixtures for alert tests: a private session bus with a recording notification service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_binary
from tests.support.session_bus import SessionBus, StandInNotifications


def usage_payload(five_hour: float, resets_in_s: float | None = 3600.0,
                  weekly: float = 10.0, severity: str | None = None) -> dict[str, Any]:
    """Return an upstream usage body with a 5-hour and a weekly window."""
    def at(seconds: float | None) -> str | None:
        if seconds is None:
            return None
        moment = datetime.fromtimestamp(time.time() + seconds, tz=timezone.utc)
        return moment.replace(microsecond=0).isoformat()

    body: dict[str, Any] = {
        "five_hour": {"utilization": five_hour, "resets_at": at(resets_in_s)},
        "seven_day": {"utilization": weekly, "resets_at": at(5 * 86400.0)},
        "extra_usage": None,
    }
    if severity is not None:
        body["limits"] = [
            {"kind": "session", "group": "session", "percent": five_hour,
             "severity": severity, "resets_at": at(resets_in_s)},
            {"kind": "weekly_all", "group": "weekly", "percent": weekly,
             "severity": "normal", "resets_at": at(5 * 86400.0)},
        ]
    return body


@pytest.fixture
def notifications(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[
        StandInNotifications]:
    """A private session bus (pointed at by the environment) with the stand-in service on it."""
    bus = SessionBus(require_binary("dbus-daemon"), tmp_path / "bus")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    service = StandInNotifications(bus.address, tmp_path / "received.jsonl")
    try:
        yield service
    finally:
        service.close()
        bus.close()
