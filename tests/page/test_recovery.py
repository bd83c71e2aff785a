"""The PC server going away and coming back; the cached reading; the device's file:// page."""

from __future__ import annotations

import time

import pytest
from tests.page import payloads
from tests.page.conftest import open_dashboard
from tests.page.files import PAGE_DIR
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


def badge_is(text: str) -> str:
    """The page's mode (said once: the Live chip, or a banner) is `text`, lower-cased."""
    return f"document.body.dataset.mode === '{text.lower()}'"


def test_recovers_after_the_server_stops_and_starts(page, fake_upstream, shot) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=23))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        assert page.get_attribute("body", "data-mode") == "live"
        server.stop()
        page.wait_for_function(badge_is("STALE"), timeout=15000)
        banner = page.inner_text("#banner")
        assert banner.startswith("PC server unreachable since ")
        assert page.inner_text("#main .card[data-window='five_hour'] .pct").startswith("23")
        shot(page, "stale-unreachable")
        fake_upstream.set_usage(payloads.usage(five_hour=31))
        server.start()  # same port
        page.wait_for_function(badge_is("LIVE"), timeout=15000)
        assert page.is_hidden("#banner")
        assert page.inner_text("#main .card[data-window='five_hour'] .pct").startswith("31")


def test_cached_reading_is_shown_stale_after_reload_while_down(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=44, seven_day=12, sonnet=None))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        page.keyboard.press("m")  # light theme, to see that settings survive too
        server.stop()
        # The server is gone; the browser still has the page's files (as the device has them).
        def files_only(route) -> None:
            name = route.request.url.split("?")[0].rsplit("/", 1)[-1] or "index.html"
            if (PAGE_DIR / name).is_file():
                route.fulfill(path=str(PAGE_DIR / name))
            else:
                route.continue_()

        page.route(server.url + "/**", files_only)
        page.reload()
        page.wait_for_function(badge_is("STALE"), timeout=15000)
        assert page.inner_text("#main .card[data-window='five_hour'] .pct").startswith("44")
        assert page.inner_text("#banner").startswith("PC server unreachable since ")
        assert "numbers from " in page.inner_text("#banner")
        assert page.evaluate("document.body.classList.contains('light')")


def test_device_page_from_file_url_reads_the_server_given_in_the_query(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=67))
    # A file:// page on this PC is refused unless configured (tests/serving/test_access.py); the real
    # device over a real link is tests/test_privacy_browsers.py's.
    with LiveServer(upstream=fake_upstream, settings={"cors_origins": "null"}) as server:
        page.goto(f"{(PAGE_DIR / 'index.html').as_uri()}?server={server.url}&poll=2")
        page.wait_for_function("document.getElementById('main').dataset.screen === 'data'", timeout=15000)
        assert page.get_attribute("body", "data-mode") == "live"
        assert page.inner_text("#main .card[data-window='five_hour'] .pct").startswith("67")


def test_history_chart_is_drawn_from_the_server(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=10))
    with LiveServer(upstream=fake_upstream) as server:
        for util in (20, 30):
            fake_upstream.set_usage(payloads.usage(five_hour=util))
            server.poller.poll_once()
        open_dashboard(page, server.url)
        # Three readings within seconds say nothing yet: no sparkline takes the numbers' room.
        page.wait_for_function("Object.keys(CC.app.state.history).length > 0")
        assert page.locator("#main .card[data-window='five_hour'] .chart").count() == 0
        assert page.inner_text("#main .card[data-window='five_hour'] .pace-text") == (
            "pace: not enough history yet")
        page.keyboard.press("2")  # the detail view draws what there is
        page.wait_for_function("document.querySelectorAll('#main .chart.big polyline').length === 1")
        pts = page.get_attribute("#main .chart.big polyline", "points")
        assert len(pts.split()) == 3
        # A small DOM: the whole page stays within a few hundred elements.
        assert page.evaluate("document.getElementsByTagName('*').length") < 300


def test_sparkline_and_pace_appear_with_half_an_hour_of_history(page, fake_upstream) -> None:
    now = [time.time() - 3600.0]
    with LiveServer(upstream=fake_upstream, clock=lambda: now[0]) as server:
        for util in (10, 20, 30, 40):  # +10 % every 15 minutes: 100 % in 90 minutes
            now[0] += 900
            fake_upstream.set_usage(payloads.usage(five_hour=util, now=now[0]))
            server.poller.poll_once()
        open_dashboard(page, server.url)
        spark = "#main .card[data-window='five_hour'] .chart.spark polyline"
        page.wait_for_selector(spark, state="attached")
        assert len(page.get_attribute(spark, "points").split()) >= 3
        pace = page.inner_text("#main .card[data-window='five_hour'] .pace-text")
        assert pace.startswith("100 % at ") and pace.endswith(", before the reset"), pace
