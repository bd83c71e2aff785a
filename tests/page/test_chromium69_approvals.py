"""Issue 19 in the Car Thing's own engine (Chromium 69 via DevTools): the request card over the
server's own page (with its Content-Security-Policy in force), answered with the dial's keys by
the real `hook --approve`; a held key never answers; the dial scrolls a long command."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.claude_code.test_approve import ALLOW, REQUEST, finish, start_hook
from tests.support.chromium69 import Chromium69
from tests.support.live_server import LiveServer

from claude_carthing.claude_code import endpoint

pytestmark = pytest.mark.chromium69

SHOWN = "document.getElementById('approval') && !document.getElementById('approval').hidden"
GONE = "document.getElementById('approval') && document.getElementById('approval').hidden"
# The test's own picture; docs/screenshots/approval-card.png is a copy of one.
SCREENSHOT = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "approval-card.png"


@pytest.fixture
def car(chromium69_binary: Path) -> Iterator[tuple[Chromium69, LiveServer]]:
    with LiveServer(source=None) as server:
        endpoint.write("127.0.0.1", server.port)
        browser = Chromium69("about:blank", binary=chromium69_binary).start()
        try:
            browser.page.call("Runtime.enable")
            browser.page.navigate(f"{server.url}/?poll=600")
            browser.page.wait_for("window.CC && CC.approvals && true")
            yield browser, server
            errors = [e for e in browser.page.events if e["method"] == "Runtime.exceptionThrown"]
            assert not errors, errors
        finally:
            browser.close()


def test_enter_allows_escape_denies_in_chromium_69(car: tuple[Chromium69, LiveServer]) -> None:
    browser, _ = car
    page = browser.page
    proc = start_hook(["--approve"], REQUEST)
    page.wait_for(SHOWN)
    assert page.evaluate("document.querySelector('.ap-text').textContent") == "rm -rf node_modules"
    time.sleep(0.6)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(SCREENSHOT)
    page.key("Enter")
    assert json.loads(finish(proc)[0]) == ALLOW
    page.wait_for(GONE)
    proc = start_hook(["--approve"], REQUEST)
    page.wait_for(SHOWN)
    time.sleep(0.6)
    page.key("Escape")
    assert json.loads(finish(proc)[0])["hookSpecificOutput"]["decision"]["behavior"] == "deny"


def test_a_held_dial_never_answers_and_the_dial_scrolls(car: tuple[Chromium69, LiveServer]) -> None:
    browser, _ = car
    page = browser.page
    page.key("Enter", up=False)  # held before the card comes
    long = {**REQUEST, "tool_input": {"command": "\n".join(f"echo line {i}" for i in range(60))}}
    proc = start_hook(["--approve"], long)
    page.wait_for(SHOWN)
    for _ in range(6):
        page.key("Enter", repeat=True, up=False)
        time.sleep(0.15)
    page.key_up("Enter")
    time.sleep(0.3)
    assert proc.poll() is None
    page.wheel(delta_y=100)
    page.wheel(delta_y=100)
    assert page.evaluate("document.querySelector('.ap-text').scrollTop") > 0
    page.key("Enter")
    assert json.loads(finish(proc)[0]) == ALLOW
