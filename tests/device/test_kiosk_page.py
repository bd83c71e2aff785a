"""After a deploy, the exact kiosk URL the device would launch shows live data from the PC."""

from __future__ import annotations

import pytest

from tests.device.helpers import VARIANTS, ssh_args
from tests.support.browser import ARGS, new_page

pytestmark = [pytest.mark.ssh, pytest.mark.busybox, pytest.mark.browser]


@pytest.mark.parametrize("generation", VARIANTS)
def test_deployed_kiosk_url_shows_live_data(make_device, cli, live_server, playwright_session,
                                            generation):
    device = make_device(generation)
    result = cli("deploy", *ssh_args(device), "--server", live_server.url)
    assert result.exit_code == 0, result.output
    assert f"The device reaches the server at {live_server.url}" in result.output
    device.wait_for(lambda: (device.browser_url() or "").startswith("file://"), "the kiosk")
    url = device.browser_url()
    assert url is not None
    # The device's files are under /srv in its mount namespace, where Chromium is started.
    mapped = url.replace("file://", "file:///srv", 1)
    browser = playwright_session.chromium.launch(executable_path=str(device.chromium_launcher()),
                                                 headless=True, args=ARGS)
    try:
        page = new_page(browser)
        page.goto(mapped)
        page.wait_for_selector("body[data-state='live']", timeout=15000)
        assert "%" in page.inner_text("main")
    finally:
        browser.close()
