"""Theme, views, dial and refresh: the Car Thing's hardware controls and touch, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.page import payloads
from tests.page.conftest import open_dashboard
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def server(fake_upstream: FakeUpstream) -> Iterator[LiveServer]:
    fake_upstream.set_usage(payloads.usage(five_hour=23, seven_day=64, sonnet=86))
    with LiveServer(upstream=fake_upstream) as s:
        yield s


def view(p: Any) -> str:
    return str(p.get_attribute("#main", "data-view"))


def shown_window(p: Any) -> str:
    return str(p.get_attribute("#main .detail", "data-window"))


def is_light(p: Any) -> bool:
    return bool(p.evaluate("document.body.classList.contains('light')"))


def test_theme_by_touch_and_key_is_remembered(page, server) -> None:
    open_dashboard(page, server.url)
    assert not is_light(page)
    # The button says what a press does, not the state it is in.
    assert page.inner_text("#theme") == "Switch to light"
    bg_dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.click("#theme")
    assert is_light(page)
    assert page.inner_text("#theme") == "Switch to dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != bg_dark
    page.reload()
    page.wait_for_function("() => document.getElementById('main').dataset.screen === 'data'")
    assert is_light(page), "the theme survives a reload"
    page.keyboard.press("m")
    assert not is_light(page)
    page.keyboard.press("KeyM")
    assert is_light(page)


def test_long_press_m_selects_automatic_theme(page, server) -> None:
    open_dashboard(page, server.url, "poll=2&day=0-24")
    page.keyboard.down("m")
    page.wait_for_timeout(800)
    page.keyboard.up("m")
    assert page.inner_text("#theme") == "Auto · switch to dark"
    assert is_light(page), "with day=0-24 the automatic theme is light at any hour"
    page.reload()
    page.wait_for_function("() => document.getElementById('main').dataset.screen === 'data'")
    assert page.inner_text("#theme") == "Auto · switch to dark"


def test_preset_keys_switch_views_and_escape_goes_back(page, server) -> None:
    open_dashboard(page, server.url)
    assert view(page) == "overview"
    page.keyboard.press("2")
    assert view(page) == "detail"
    assert shown_window(page) == "five_hour"
    assert page.locator("#main .chart.big").count() == 1
    page.keyboard.press("2")
    assert shown_window(page) == "seven_day"
    page.keyboard.press("3")
    assert view(page) == "list"
    assert page.locator("#main .row[data-window]").count() == 3
    page.keyboard.press("4")
    assert view(page) == "status"
    assert "Last error" in page.inner_text("#main")
    page.keyboard.press("Escape")
    assert view(page) == "overview"
    page.keyboard.press("Digit3")
    page.keyboard.press("1")
    assert view(page) == "overview"


def _key(p: Any, kind: str, key: str, repeat: bool = False) -> None:
    p.evaluate("([kind, key, repeat]) => document.dispatchEvent(new KeyboardEvent(kind, "
               "{key: key, code: 'Digit' + key, repeat: repeat}))", [kind, key, repeat])


def test_auto_repeat_is_ignored(page, server) -> None:
    open_dashboard(page, server.url)
    page.keyboard.press("2")
    _key(page, "keydown", "2", repeat=True)
    assert shown_window(page) == "five_hour"


def test_a_held_key_acts_once_even_without_the_repeat_flag(page, server) -> None:
    # v4.1 auto-repeats; a second keydown before the keyup is a repeat, flagged or not.
    open_dashboard(page, server.url)
    _key(page, "keydown", "2")
    _key(page, "keydown", "2")
    _key(page, "keydown", "2")
    assert shown_window(page) == "five_hour"
    _key(page, "keyup", "2")
    _key(page, "keydown", "2")  # a new press after the release acts again
    _key(page, "keyup", "2")
    assert shown_window(page) == "seven_day"


def test_reverse_dial_turns_the_other_way(page, server) -> None:
    open_dashboard(page, server.url, "poll=2&dial=reverse")
    page.mouse.move(400, 240)
    page.mouse.wheel(100, 0)
    page.wait_for_timeout(150)
    assert view(page) == "status", "reversed: a positive turn goes back from the overview"
    page.mouse.wheel(-100, 0)
    page.wait_for_timeout(150)
    assert view(page) == "overview"
    page.mouse.wheel(-100, 0)
    page.wait_for_timeout(150)
    assert view(page) == "detail" and shown_window(page) == "five_hour"


def test_dial_and_arrows_cycle_views(page, server) -> None:
    open_dashboard(page, server.url)
    page.mouse.move(400, 240)
    seen = []
    for _ in range(7):  # overview, 3 details, list, sessions, status, then around to the overview
        page.mouse.wheel(100, 0)
        page.wait_for_timeout(150)
        seen.append(view(page) + ":" + (shown_window(page) if view(page) == "detail" else ""))
    assert seen == ["detail:five_hour", "detail:seven_day", "detail:seven_day_sonnet",
                    "list:", "sessions:", "status:", "overview:"]
    page.mouse.wheel(0, -100)  # vertical wheels count too; negative goes back
    page.wait_for_timeout(150)
    assert view(page) == "status"
    page.keyboard.press("ArrowRight")
    assert view(page) == "overview"
    page.keyboard.press("ArrowLeft")
    assert view(page) == "status"


def test_tap_on_a_card_opens_its_detail(page, server) -> None:
    open_dashboard(page, server.url)
    page.click("#main .card[data-window='seven_day_sonnet']")
    assert view(page) == "detail"
    assert shown_window(page) == "seven_day_sonnet"


def test_enter_refreshes_through_the_server(page, server, fake_upstream, monkeypatch) -> None:
    open_dashboard(page, server.url, "poll=600")
    # The server refuses a refresh within 60 s of its last read, which was just now.
    monkeypatch.setattr("claude_carthing.poller.REFRESH_COOLDOWN_S", 0.0)
    before = len(fake_upstream.usage_requests())
    fake_upstream.set_usage(payloads.usage(five_hour=57))
    page.keyboard.press("Enter")
    assert "Refreshing" in page.inner_text("#toast")
    page.wait_for_function(
        "document.querySelector(\"#main .card[data-window='five_hour'] .pct\").textContent.indexOf('57') === 0",
        timeout=15000)
    assert len(fake_upstream.usage_requests()) > before
    page.keyboard.press("Enter")
    assert "Refresh again in" in page.inner_text("#toast"), "the page rate-limits the dial press"


def test_refresh_refused_by_the_server_says_when(page, server) -> None:
    open_dashboard(page, server.url, "poll=600")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('toast').textContent.indexOf('Claude was read') === 0")
    assert page.inner_text("#toast").startswith("Claude was read moments ago; try again in ")
