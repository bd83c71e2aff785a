"""Shared fixtures: an isolated home folder for every test, the fake upstream, the server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring.core
import pytest
from keyring.backends import fail

from tests.support.browser import ARGS, require_chromium
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer, free_port

# In CI every skip is a failure, a module-level one included: nothing required may silently
# not run (the hooks live in a plugin module so a test can load them into a child pytest).
# Chromium 69 (chromium69, chromium69_binary) and USB link (usb_link) fixtures.
pytest_plugins = ["tests.support.strict", "tests.support.chromium69", "tests.support.netns"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every file of ours and Claude Code's folder at a temp dir; disable the OS keyring."""
    home = tmp_path / "cc-home"
    monkeypatch.setenv("CLAUDE_CARTHING_HOME", str(home))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude-code"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # Never pop notifications on the developer's desktop: tests that want a bus start their own.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-session-bus")
    # Never touch the developer's real keyring: tests that want one install a memory keyring.
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    for name in ("CLAUDE_CARTHING_SESSION_KEY", "CLAUDE_CARTHING_ORG_ID"):
        monkeypatch.delenv(name, raising=False)
    # Network rule: no test may reach the real Claude. Unless a test points the client at the
    # fake upstream, it talks to a closed loopback port.
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", dead)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", dead)
    # Never the developer's real `claude` either: tests that want one install the fake.
    monkeypatch.setenv("CLAUDE_CARTHING_CLAUDE_PATH", str(tmp_path / "no-claude-here"))
    # British English (24-hour times) unless a test asks for another language: the developer's
    # own locale never leaks in.
    monkeypatch.setenv("CLAUDE_CARTHING_LANGUAGE", "en-GB")
    from claude_carthing import i18n

    i18n.activate("en-GB")
    return home


@pytest.fixture
def fake_upstream() -> Iterator[FakeUpstream]:
    """A started fake Claude on loopback, answering with the full recorded payload."""
    with FakeUpstream() as upstream:
        yield upstream


@pytest.fixture
def live_server(fake_upstream: FakeUpstream) -> Iterator[LiveServer]:
    """The real server on loopback, logged in through Claude Code's (fake) OAuth login."""
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        yield server


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Any]:
    """One Playwright driver for the whole run (two sync drivers cannot coexist)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Any) -> Iterator[Any]:
    """Headless Debian Chromium, shared by every browser test."""
    browser = playwright_session.chromium.launch(
        executable_path=str(require_chromium()), headless=True, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def original_readme() -> str:
    """The original Car Thing project's README (kept in tests/fixtures: its scripts and page)."""
    return (FIXTURES / "original-readme.md").read_text(encoding="utf-8")


def require_binary(name: str) -> str:
    """Return the path of a system program, or skip the test saying which one is missing."""
    found = shutil.which(name) or (name if os.path.exists(name) else None)
    if not found:
        pytest.skip(f"needs {name} (apt-get install it)")
    return found
