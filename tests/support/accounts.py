"""Several accounts in tests: stand-in sources with numbers of their own, and a service of them.

The accounts are real (`accounts.add` in the test's temp home); only where each one's usage comes
from is replaced, through `build_service(..., sources=...)`.
"""

from __future__ import annotations

import time
from typing import Any

from claude_carthing import errors
from claude_carthing.upstream.sources import Reading
from claude_carthing.upstream.wire import parse_usage
from tests.alerts.conftest import usage_payload


class Scripted:
    """A usage source answering the numbers it was last given, or failing as told."""

    name = "scripted"

    def __init__(self, five_hour: float = 30.0, weekly: float = 10.0) -> None:
        self.body: dict[str, Any] = usage_payload(five_hour, weekly=weekly)
        self.failure: errors.CarthingError | None = None
        self.reads = 0

    def set(self, five_hour: float, weekly: float = 10.0) -> None:
        """Answer these numbers from the next read on (and stop failing)."""
        self.body = usage_payload(five_hour, weekly=weekly)
        self.failure = None

    def fail(self, failure: errors.CarthingError) -> None:
        """Fail every read from now on with `failure`."""
        self.failure = failure

    def read(self) -> Reading:
        """Return the numbers, or raise the failure."""
        self.reads += 1
        if self.failure is not None:
            raise self.failure
        return Reading(parse_usage(self.body), "oauth")

    def close(self) -> None:
        """Nothing to release."""


def wait_for_every_account(service: Any, timeout: float = 15.0) -> None:
    """Wait until every account's poller has tried a read and its alerts handled it."""
    deadline = time.monotonic() + timeout
    for one in service.watched:
        while one.poller.snapshot().last_attempt_at is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"account {one.name} made no read in time")
            time.sleep(0.02)
        while one.alerts.handled < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        one.alerts.drain()


def read_all(service: Any) -> None:
    """One read now for every account, and everything it brings delivered."""
    for one in service.watched:
        one.poller.poll_once()
    for one in service.watched:
        one.alerts.drain()
