"""Fixtures for the page tests: one Chromium per session, a fresh 800x480 page per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import new_page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (ROOT / "docs" / "screenshots", ROOT / "artifacts" / "screenshots")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page at the Car Thing's 800x480 in its own context; fails the test on a JS error."""
    p = new_page(browser)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot() -> Callable[[Any, str], None]:
    """Save a screenshot as a test artifact (artifacts/screenshots/).

    The committed pictures in docs/screenshots/ come from one command instead:
    `python -m tests.page.gallery` (Chromium 69, every state, both themes).
    """
    targets = [SCREENSHOTS[1]]

    def save(p: Any, name: str) -> None:
        first = targets[0] / f"{name}.png"
        first.parent.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(first))
        for other in targets[1:]:
            other.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(first, other / first.name)

    return save


def open_dashboard(p: Any, base: str, query: str = "poll=2") -> None:
    """Open the page served by `base` and wait until it has left the loading screen."""
    p.goto(f"{base}/?{query}")
    p.wait_for_function("() => document.getElementById('main').dataset.screen !== 'loading'")


def main_text(p: Any) -> str:
    """Return the visible text of the whole page."""
    return str(p.inner_text("body"))
