"""The page against the real server with several accounts (the fake Claude on loopback): the
rows come from the server's own `/api/accounts`, each account's view from its own `/usage`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.page.test_accounts_page import ROWS
from tests.support import accounts as three_accounts
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_the_page_shows_every_account_of_the_real_server(page: Any, fake_upstream: Any,
                                                         tmp_path: Path) -> None:
    three_accounts.make(fake_upstream, three_accounts.work_dir(tmp_path))
    with LiveServer(upstream=fake_upstream, source="oauth", settings={"source": "auto"}) as live:
        for one in live.service.watched:
            one.poller.poll_once()
        reads: list[str] = []
        page.on("request", lambda r: reads.append(r.url))
        page.goto(f"{live.url}/index.html?theme=dark")
        page.wait_for_function("document.querySelectorAll('#main .acct').length === 3")
        rows = {r["name"]: r for r in page.evaluate(ROWS)}
        assert list(rows) == ["personal", "work", "side"]
        personal = {c[0]: c[1] for c in rows["personal"]["cells"]}
        work = {c[0]: c[1] for c in rows["work"]["cells"]}
        assert personal["5-hour"].strip() == "15" and work["5-hour"].strip() == "62"
        assert any("97" in (v or "") for v in work.values())  # its Sonnet window, the worst
        # The failing account says what fixes it, for that account.
        assert "expired" in rows["side"]["state"]
        assert "claude-carthing login --account side" in rows["side"]["state"]
        assert "All accounts" in page.inner_text("#title")
        assert any("/api/accounts" in url for url in reads)
        page.keyboard.press("1")  # preset 1 on the overview: the first account's own view
        page.keyboard.press("1")  # and again: the next one, work
        page.wait_for_function("document.querySelector(\"#main .card[data-window='five_hour']\")"
                               " && document.querySelector('#title').textContent"
                               ".indexOf('work') >= 0")
        shown = page.inner_text("#main .card[data-window='five_hour'] .pct")
        assert shown.startswith("62")
        assert any("/usage?account=work" in url for url in reads)
