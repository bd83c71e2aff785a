"""Launch Debian's Chromium headless through Playwright, the one way every browser test does it.

Usage::

    from tests.support.browser import chromium, new_page

    with chromium() as browser:
        page = new_page(browser)            # 800x480, the Car Thing's CSS viewport
        page.goto(url)

`chromium()` skips the calling test (pytest.skip) when /usr/bin/chromium or Playwright is
missing. It never downloads a browser: it always runs the system binary.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CAR_THING = {"width": 800, "height": 480}


def chromium_path() -> Path | None:
    """Return the system Chromium binary, or None when it is not installed."""
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def require_chromium() -> Path:
    """Return the Chromium binary or skip the current test with the reason."""
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Python Playwright is not installed (pip install playwright)")
    return path


@contextmanager
def chromium(extra_args: list[str] | None = None) -> Iterator[Any]:
    """Yield a headless Playwright Browser running the system Chromium; closed on exit."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(path), headless=True, args=ARGS + list(extra_args or [])
        )
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, width: int = 800, height: int = 480, **context_options: Any) -> Any:
    """Open a page in a fresh context (own localStorage) with the given viewport.

    The server's Content-Security-Policy forbids eval, which Playwright's string predicates
    (`wait_for_function("...")`) use; pages opened here bypass it unless `bypass_csp=False`
    (tests/page/test_approvals_page.py keeps it in force)."""
    context_options.setdefault("bypass_csp", True)
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    return context.new_page()
