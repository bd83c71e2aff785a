"""Fixtures for the setup commands: adapter discovery, and deploy's emulated Car Things."""

from __future__ import annotations

import pytest

# The emulated devices and the CLI runner are deploy's own (tests/device); reused, not copied.
from tests.device.conftest import cli, make_device

from claude_carthing.doctor import host
from claude_carthing.usb import Adapter

__all__ = ["adapters", "cli", "make_device"]


@pytest.fixture
def adapters(monkeypatch: pytest.MonkeyPatch) -> list[Adapter]:
    """What adapter discovery reports (empty: no Car Thing plugged in)."""
    found: list[Adapter] = []
    monkeypatch.setattr(host, "find_adapters", lambda: found)
    return found
