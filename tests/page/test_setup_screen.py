"""The not-logged-in screen: what to do, said once."""

from __future__ import annotations

from typing import Any

import pytest
from tests.page.conftest import main_text, open_dashboard
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_not_logged_in_says_what_to_do_once(page: Any) -> None:
    with LiveServer(upstream=None, source=None) as server:
        open_dashboard(page, server.url)
        assert page.get_attribute("#main", "data-screen") == "not_configured"
        text = main_text(page)
    assert "Not logged in" in text  # the server's own words
    assert text.count("claude-carthing login") == 1, text
    assert "claude-carthing serve" in text  # and what to keep running
