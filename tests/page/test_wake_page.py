"""The page after the PC slept: the numbers from before the sleep are marked stale."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from tests.page import payloads
from tests.page.conftest import open_dashboard
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer

from claude_carthing.serving.payload import usage_document

pytestmark = pytest.mark.browser


def test_numbers_from_before_a_sleep_are_marked_stale(page: Any,
                                                       fake_upstream: FakeUpstream) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=23))
    with LiveServer(upstream=fake_upstream) as server:
        # The moment between the wake and the read it starts cannot be held on purpose, so the
        # server's own document for it is served through the page's network layer.
        snap = replace(server.poller.snapshot(), waking=True)
        doc = usage_document(snap, server.poller.clock())
        page.route("**/usage", lambda route: route.fulfill(status=200, body=json.dumps(doc),
                                                            content_type="application/json"))
        open_dashboard(page, server.url)
        page.wait_for_function("document.body.dataset.mode === 'stale'", timeout=10000)
        banner = page.inner_text("#banner")
        assert banner.startswith("Not updating: the PC was asleep, reading again")
        assert "numbers from " in banner
        assert page.inner_text("#badge") == ""
        page.unroute("**/usage")  # the read after the wake: live again
        page.wait_for_function("document.body.dataset.mode === 'live'", timeout=10000)
