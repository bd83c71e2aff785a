"""The PC server going away and coming back; the cached reading; the device's file:// page."""

from __future__ import annotations

import pytest
from tests.page import payloads
from tests.page.conftest import open_dashboard
from tests.page.files import PAGE_DIR
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


def badge_is(text: str) -> str:
    return f"document.getElementById('badge').textContent === '{text}'"


def test_recovers_after_the_server_stops_and_starts(page, fake_upstream, shot) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=23))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        assert page.inner_text("#badge") == "LIVE"
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
        assert "data " in page.inner_text("#banner")
        assert page.evaluate("document.body.classList.contains('light')")


def test_device_page_from_file_url_reads_the_server_given_in_the_query(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=67))
    # A file:// page on this PC is refused unless configured (tests/test_access.py); the real
    # device over a real link is tests/test_privacy_browsers.py's.
    with LiveServer(upstream=fake_upstream, settings={"cors_origins": "null"}) as server:
        page.goto(f"{(PAGE_DIR / 'index.html').as_uri()}?server={server.url}&poll=2")
        page.wait_for_function("document.getElementById('main').dataset.screen === 'data'", timeout=15000)
        assert page.inner_text("#badge") == "LIVE"
        assert page.inner_text("#main .card[data-window='five_hour'] .pct").startswith("67")


def test_history_chart_is_drawn_from_the_server(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=10))
    with LiveServer(upstream=fake_upstream) as server:
        for util in (20, 30):
            fake_upstream.set_usage(payloads.usage(five_hour=util))
            server.poller.poll_once()
        open_dashboard(page, server.url)
        page.wait_for_function(
            "document.querySelectorAll(\"#main .card[data-window='five_hour'] polyline\").length === 1")
        pts = page.get_attribute("#main .card[data-window='five_hour'] polyline", "points")
        assert len(pts.split()) == 3
        # A small DOM: the whole page stays within a few hundred elements.
        assert page.evaluate("document.getElementsByTagName('*').length") < 300
