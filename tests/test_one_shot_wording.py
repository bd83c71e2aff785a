"""Issue 17.22: a one-shot command never promises to retry later."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app
from tests.support.creds import FAKE_SESSION_KEY
from tests.support.fake_upstream import Canned


@pytest.mark.parametrize("status", [404, 502])
def test_login_stdin_against_an_error_answer_says_it_without_retrying(
        fake_upstream, monkeypatch, status: int) -> None:
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    fake_upstream.failure["orgs"] = Canned(status, '{"type": "error"}')
    result = CliRunner().invoke(app, ["login", "--stdin"], input=f"{FAKE_SESSION_KEY}\n")
    assert result.exit_code == 7, result.output
    assert f"HTTP {status}" in result.output
    assert "retrying" not in result.output and "later" not in result.output
    assert not paths.secrets_file().exists()
