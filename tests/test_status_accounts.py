"""`status` with several accounts: every account compactly, or one in full with --account;
from the running server and, without one, read directly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claude_carthing.cli import app
from tests.support import accounts as three_accounts
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer

runner = CliRunner()


@pytest.fixture
def three(fake_upstream: FakeUpstream, tmp_path: Path) -> FakeUpstream:
    return three_accounts.make(fake_upstream, three_accounts.work_dir(tmp_path))


def status(*args: str):
    result = runner.invoke(app, ["status", *args], env={"COLUMNS": "120"})
    return result.exit_code, re.sub(r"\s+", " ", result.output)


def blocks(text: str) -> dict[str, str]:
    """Split the compact view into each account's text."""
    found = re.split(r"(?:^| )(personal \(default\)|work|side)(?= )", text)
    return {found[i].split(" ")[0]: found[i + 1] for i in range(1, len(found) - 1, 2)}


def check_compact(code: int, text: str) -> None:
    shown = blocks(text)
    assert list(shown) == ["personal", "work", "side"], text
    assert "5-hour 15 %" in shown["personal"] and "Weekly 48 %" in shown["personal"]
    assert "Fable 81 %" in shown["personal"]  # its fullest per-model window
    assert "5-hour 62 %" in shown["work"] and "Weekly 34 %" in shown["work"]
    assert "Sonnet 97 %" in shown["work"]
    assert "login --account side" in shown["side"] and "%" not in shown["side"]
    assert code == 5  # side's failed login (personal's and work's are 0)


def test_status_shows_every_account_from_the_server(three):
    with LiveServer(upstream=three, source="oauth", settings={"source": "auto"}) as live:
        for one in live.service.watched:
            one.poller.poll_once()
        check_compact(*status("--port", str(live.port)))
        code, text = status("--port", str(live.port), "--account", "work")
        assert code == 0 and "62.0 %" in text and "97.0 %" in text and "15.0 %" not in text
        result = runner.invoke(app, ["status", "--port", str(live.port), "--json"])
        doc = json.loads(result.output)
        assert [a["name"] for a in doc["accounts"]] == ["personal", "work", "side"]
        code, text = status("--port", str(live.port), "--account", "nobody")
        assert code == 8 and "no account named 'nobody'" in text and "work" in text


def test_status_reads_every_account_directly_without_a_server(three, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", three.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", three.url)
    check_compact(*status("--port", "9", "--source", "auto"))
    code, text = status("--port", "9", "--account", "work")
    assert code == 0 and "62.0 %" in text and "15.0 %" not in text


def test_one_account_status_looks_as_before(fake_upstream, monkeypatch):
    with LiveServer(upstream=fake_upstream, source="oauth") as live:
        code, text = status("--port", str(live.port))
    assert code == 0 and "15.0 %" in text and "(default)" not in text
