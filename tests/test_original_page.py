"""The original project's display page shows our numbers on the device, both ways it can.

Its page (step 4.5 of the original README, extracted at test time, never copied) is opened from
file:// in Chromium 69 with the flags of v3's own kiosk launch file, in the device namespace of
a real link: once as written (it reads its own relay at http://localhost:8080/usage), and once
pointed straight at the PC's server (http://172.16.42.1:8080/usage).
"""

from __future__ import annotations

import pytest

from tests.device import layouts
from tests.support.chromium69 import kiosk_flags
from tests.support.netns import LinkServer
from tests.support.original import extract_page, start_relay

pytestmark = [pytest.mark.seed, pytest.mark.netns, pytest.mark.chromium69]


def show(chromium69, link, html, tmp_path):
    page_file = tmp_path / "claude-usage-display.html"
    page_file.write_text(html, encoding="utf-8")
    browser = chromium69(page_file.as_uri(), flags=kiosk_flags(layouts.V3_RUN),
                         netns=link.device_ns)
    text = browser.page.wait_for(
        "document.querySelector('.usage-card, .error') && document.getElementById('content')"
        ".innerText", timeout=30)
    browser.page.screenshot(tmp_path / "original-page.png")
    return text


def assert_our_numbers(text):
    assert "Error" not in text and "Waiting" not in text, text
    assert "5-HOUR LIMIT" in text.upper() and "15%" in text
    assert "7-DAY LIMIT" in text.upper() and "48%" in text


@pytest.mark.busybox
def test_original_page_through_its_own_relay(original_readme, fake_upstream, v3_link,
                                             chromium69, tmp_path):
    html = extract_page(original_readme)
    assert "fetch('http://localhost:8080/usage')" in html  # as written: its relay
    with LinkServer(v3_link, upstream=fake_upstream):
        start_relay(v3_link, original_readme, tmp_path)
        text = show(chromium69, v3_link, html, tmp_path)
    assert_our_numbers(text)


def test_original_page_pointed_straight_at_the_pcs_server(original_readme, fake_upstream,
                                                          v3_link, chromium69, tmp_path):
    html = extract_page(original_readme).replace("http://localhost:8080/usage",
                                                 f"http://{v3_link.pc_ip}:8080/usage")
    with LinkServer(v3_link, upstream=fake_upstream):
        text = show(chromium69, v3_link, html, tmp_path)
    assert_our_numbers(text)
