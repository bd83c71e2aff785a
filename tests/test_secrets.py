"""A canary session key and OAuth token never show up in logs, responses or CLI output."""

from __future__ import annotations

import json
import logging
import urllib.request

from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app
from claude_carthing.logs import redact, setup_logging
from tests.support import creds
from tests.support.creds import CANARY
from tests.support.fake_upstream import FAILURES, ORG_ID
from tests.support.live_server import LiveServer, free_port


def test_canary_never_leaks_through_any_failure(fake_upstream, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    setup_logging("DEBUG")  # also writes the rotating log file in the home folder
    logging.getLogger("claude_carthing.test").error("token %s", creds.FAKE_OAUTH_TOKEN)
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    creds.write_oauth()
    creds.write_web(org_id=ORG_ID)
    fake_upstream.set_cookie = "sk-ant-sid01-FAKE-canary-rotated-0003"
    seen: list[str] = []
    runner = CliRunner()
    with LiveServer(upstream=fake_upstream, settings={"timeout": 1.0}) as server:
        for kind in [k for k in FAILURES if k != "timeout"] + ["timeout"]:
            fake_upstream.fail_with(kind)
            server.poller.poll_once()
            for path in ("/usage", "/health", "/api/history", "/"):
                with urllib.request.urlopen(server.url + path, timeout=5) as response:
                    seen.append(response.read().decode())
        fake_upstream.heal()
        server.poller.poll_once()
        with urllib.request.urlopen(server.url + "/usage", timeout=5) as response:
            seen.append(response.read().decode())
        for args in (["status", "--json", "--port", str(server.port)],
                     ["status", "--port", str(server.port)],
                     ["status", "--port", str(free_port())],
                     ["config", "show"]):
            seen.append(runner.invoke(app, args).output)
    seen.append(runner.invoke(app, ["login", "--stdin"],
                              input=creds.FAKE_SESSION_KEY + "\n").output)
    for handler in logging.getLogger().handlers:
        handler.flush()
    seen.append(caplog.text)
    seen.append(capsys.readouterr().err)
    log_file = paths.log_dir() / "claude-carthing.log"
    seen.append(log_file.read_text())
    assert "token sk-ant-[redacted]" in log_file.read_text()
    assert len(seen) > 40
    for text in seen:
        assert CANARY not in text, text[:500]


def test_redaction_catches_every_key_shape():
    text = "a sk-ant-sid01-abc_DEF-123 b sk-ant-oat01-XYZ c sk-ant-ort01-q d sk-ant-api03-z"
    assert "sk-ant-sid01" not in redact(text) and redact(text).count("[redacted]") == 4


def test_usage_document_has_no_credential_fields(live_server):
    with urllib.request.urlopen(live_server.url + "/usage", timeout=5) as response:
        doc = json.loads(response.read())
    flat = json.dumps(doc).lower()
    for word in ("sessionkey", "accesstoken", "bearer", "cookie", "sk-ant-"):
        assert word not in flat
