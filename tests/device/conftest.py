"""Fixtures for deploy tests: emulated devices of each generation, and a clean SSH client side."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.device.emulator import EmulatedDevice, Options, missing_tools


@pytest.fixture(autouse=True)
def no_user_ssh_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the real ~/.ssh and SSH agent: tests log in only with what they set up."""
    home = tmp_path / "user-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[Callable[..., EmulatedDevice]]:
    """Start emulated devices (`make_device("v3", password=...)`); all are stopped afterwards."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    started: list[EmulatedDevice] = []

    def make(generation: str, **options: object) -> EmulatedDevice:
        device = EmulatedDevice(tmp_path / f"device-{len(started)}",
                                Options(generation, **options))  # type: ignore[arg-type]
        started.append(device)
        return device.start()

    yield make
    for device in started:
        device.stop()


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run `claude-carthing ARGS` as a user would; returns the click Result."""
    from claude_carthing.cli import app

    runner = CliRunner()

    def run(*args: str) -> object:
        return runner.invoke(app, list(args))

    return run
