"""Issue 19 on the page (Debian's Chromium): the server's own page on loopback shows Claude Code's
permission request full screen, and the real `hook --approve` prints what the dial said.

Enter (the dial's press) allows, Escape (back) denies, a held key or one pressed within the
grace time never answers, and the card goes away when the request is answered elsewhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.claude_code.test_approve import ALLOW, REQUEST, finish, start_hook
from tests.page.stage import audit
from tests.support.browser import new_page
from tests.support.live_server import LiveServer

from claude_carthing.claude_code import endpoint

pytestmark = pytest.mark.browser


def card(p: Any) -> dict[str, Any] | None:
    """What the card shows, or None while it is hidden."""
    return p.evaluate("""() => { var c = document.getElementById('approval');
        if (!c || c.hidden) return null;
        var t = function (s) { return c.querySelector(s).textContent; };
        return {where: t('.ap-where'), kind: t('.ap-kind'), text: t('.ap-text'),
                count: t('.ap-count'), hint: t('.ap-hint'), said: t('.ap-said'),
                mono: getComputedStyle(c.querySelector('.ap-text')).fontFamily}; }""")


def wait_card(p: Any, shown: bool = True, timeout_ms: int = 5000) -> None:
    test = "!document.getElementById('approval').hidden" if shown else \
        "document.getElementById('approval').hidden"
    p.wait_for_function(f"() => document.getElementById('approval') && {test}",
                        timeout=timeout_ms)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """The server's own page with its Content-Security-Policy in force; fails on a JS error."""
    p = new_page(browser, bypass_csp=False)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def served(page: Any) -> Iterator[LiveServer]:
    with LiveServer(source=None) as server:
        endpoint.write("127.0.0.1", server.port)
        page.goto(f"{server.url}/?poll=600")
        page.wait_for_function("() => window.CC && CC.approvals")
        yield server


def test_enter_allows_and_the_card_shows_what_will_happen(page: Any, served: Any) -> None:
    proc = start_hook(["--approve"], REQUEST)
    wait_card(page)
    shown = card(page)
    assert shown is not None
    assert shown["where"] == "shop · Bash" and shown["text"] == "rm -rf node_modules"
    assert shown["hint"] == "Press the dial: allow once · Back: deny"
    assert "mono" in shown["mono"].lower() or "consolas" in shown["mono"].lower()
    found = audit(page, 16, 0)
    assert found["problems"] == [], found["problems"]
    assert any(t["text"].startswith("Press the dial") for t in found["texts"])
    page.wait_for_timeout(600)  # the grace time
    t0 = time.monotonic()
    page.keyboard.press("Enter")
    out, _ = finish(proc)
    assert json.loads(out) == ALLOW and time.monotonic() - t0 < 1.0
    wait_card(page, shown=False)
    assert page.get_attribute("#main", "data-view") != "status"  # the page saw no Enter


def test_escape_denies(page: Any, served: Any) -> None:
    proc = start_hook(["--approve"], REQUEST)
    wait_card(page)
    page.wait_for_timeout(600)
    page.keyboard.press("Escape")
    out, _ = finish(proc)
    assert json.loads(out)["hookSpecificOutput"]["decision"]["behavior"] == "deny"


def test_a_held_key_or_an_early_press_never_answers(page: Any, served: Any) -> None:
    page.keyboard.down("Enter")  # held before the card comes
    proc = start_hook(["--approve"], REQUEST)
    wait_card(page)
    page.keyboard.press("Escape")  # within the grace time: ignored
    for _ in range(5):
        page.keyboard.down("Enter")  # auto-repeat of the held key
        page.wait_for_timeout(150)
    page.keyboard.up("Enter")
    page.keyboard.down("Escape")  # after the grace time, but held, not pressed
    page.wait_for_timeout(1700)
    page.keyboard.up("Escape")
    page.wait_for_timeout(300)
    assert proc.poll() is None and card(page) is not None
    page.keyboard.press("Enter")  # a fresh press: this one counts
    out, _ = finish(proc)
    assert json.loads(out) == ALLOW


def test_requests_queue_and_the_card_goes_when_answered_elsewhere(page: Any, served: Any) -> None:
    first = start_hook(["--approve"], REQUEST)
    wait_card(page)
    second = start_hook(["--approve"], {**REQUEST, "session_id": "other",
                                        "tool_name": "WebFetch",
                                        "tool_input": {"url": "https://example.com/a"}})
    page.wait_for_function("() => document.querySelector('.ap-count').textContent === '1 of 2'")
    # The terminal answered the first: its session moves on.
    finish(start_hook([], {"hook_event_name": "PostToolUse", "session_id": "sess-9",
                           "tool_name": "Bash", "cwd": "/x/shop"}))
    start = time.monotonic()
    page.wait_for_function("() => document.querySelector('.ap-text').textContent === "
                           "'https://example.com/a'", timeout=2500)
    assert time.monotonic() - start < 2.0
    assert finish(first, timeout=5)[0] == ""
    shown = card(page)
    assert shown is not None and shown["count"] == "" and shown["kind"].startswith("URL")
    page.wait_for_timeout(600)
    page.click(".ap-deny")
    assert "deny" in finish(second)[0]
    wait_card(page, shown=False)


def test_a_press_after_the_terminal_answered_is_refused_and_the_card_says_so(
        page: Any, served: Any) -> None:
    said = ""
    for _ in range(3):  # the page's next poll (every 2 s) may take the card away first
        proc = start_hook(["--approve"], REQUEST)
        wait_card(page)
        page.wait_for_timeout(600)  # the grace time
        # The terminal answers: the session moves on, and the page has not polled since.
        finish(start_hook([], {"hook_event_name": "PostToolUse", "session_id": "sess-9",
                               "tool_name": "Bash", "cwd": "/x/shop"}))
        if card(page) is None:
            finish(proc)
            continue
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('.ap-said').textContent !== ''"
                               " || document.getElementById('approval').hidden")
        shown = card(page)
        said = shown["said"] if shown else ""
        assert finish(proc, timeout=5)[0] == ""  # never an allow: the terminal's answer stands
        if said:
            break
    assert said == "Not sent: answered in the terminal"
    wait_card(page, shown=False)


def test_the_card_is_legible_in_the_light_theme_too(page: Any, served: Any) -> None:
    page.goto(f"{served.url}/?poll=600&theme=light")
    page.wait_for_function("() => window.CC && CC.approvals")
    long = {**REQUEST, "tool_input": {"command": "npm run build && " + "x" * 900}}
    proc = start_hook(["--approve"], long)
    wait_card(page)
    found = audit(page, 16, 0)
    assert found["problems"] == [], found["problems"]
    page.wait_for_timeout(600)
    page.keyboard.press("Escape")
    assert "deny" in finish(proc)[0]
