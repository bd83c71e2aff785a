"""The original project's display page, unchanged but for its server address, shows our data.

The page is extracted from the original README (step 4.5) into a temp dir at test time and
opened from file://, as on the device; it is never copied into the project.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import new_page
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.seed]


def test_original_page_renders_our_usage_from_file_url(original_readme, fake_upstream, tmp_path,
                                                       browser):
    readme = original_readme
    match = re.search(r"<< 'HTMLEOF'\n(.*?)\nHTMLEOF\n", readme, re.DOTALL)
    assert match, "the original page was not found in the README"
    with LiveServer(upstream=fake_upstream) as server:
        html = match.group(1).replace("http://localhost:8080/usage", server.url + "/usage")
        page_file = tmp_path / "claude-usage-display.html"
        page_file.write_text(html, encoding="utf-8")
        page = new_page(browser)
        page.goto(page_file.as_uri())
        page.wait_for_selector(".usage-card", timeout=15000)
        text = page.inner_text("#content")
        page.context.close()
    assert "Error" not in text and "Waiting" not in text
    assert "5-HOUR LIMIT" in text.upper() and "15%" in text
    assert "7-DAY LIMIT" in text.upper() and "48%" in text
