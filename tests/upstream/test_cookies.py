"""Web sessions that survive Cloudflare: pasted Cookie headers and cURL texts, stored cookies,
a stable device id and refreshed values, against the loopback upstream that checks them."""

from __future__ import annotations

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app
from claude_carthing.poller import Poller
from claude_carthing.settings import load_settings
from claude_carthing.upstream import cookie_store
from claude_carthing.upstream.cookies import PastedTextError, parse_login_input
from claude_carthing.upstream.sources import ClaudeSource
from tests.support.creds import FAKE_SESSION_KEY
from tests.support.fake_upstream import ORG_ID

runner = CliRunner()
CLEARANCE = "FAKE-canary-cf-clearance-0001"
BM = "FAKE-canary-cf-bm-0001"
DROP = "DROPME-canary"  # in every part of a paste that must never be stored

BASH_CURL = f"""curl 'https://claude.ai/api/organizations/{ORG_ID}/usage' \\
  -H 'accept: */*' \\
  -H 'anthropic-client-platform: web_claude_ai' \\
  -H 'anthropic-device-id: 00000000-{DROP}-device' \\
  -b 'activitySessionId={DROP}-activity; sessionKey={FAKE_SESSION_KEY}; lastActiveOrg={DROP}-org; cf_clearance={CLEARANCE}; __cf_bm={BM}; intercom-session={DROP}-intercom' \\
  -H 'user-agent: Mozilla/5.0 {DROP}-agent'
"""
CMD_CURL = (f'curl ^"https://claude.ai/api/organizations^" ^\r\n'
            f'  -H ^"cookie: sessionKey={FAKE_SESSION_KEY}; cf_clearance={CLEARANCE}; '
            f'__cf_bm={BM}; other={DROP}^" ^\r\n  -H ^"x-trace: {DROP}^"\r\n')
HEADER = f"Cookie: other={DROP}; sessionKey={FAKE_SESSION_KEY}; __cf_bm={BM}; cf_clearance={CLEARANCE}"
WANTED = {"sessionKey": FAKE_SESSION_KEY, "cf_clearance": CLEARANCE, "__cf_bm": BM}


@pytest.fixture
def upstream_env(fake_upstream, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    fake_upstream.require_cloudflare_cookies = True
    return fake_upstream


@pytest.mark.parametrize("pasted", [BASH_CURL, CMD_CURL, HEADER, HEADER.split(": ", 1)[1]],
                         ids=["curl-bash", "curl-cmd", "cookie-header", "cookie-value"])
def test_paste_keeps_only_the_three_claude_cookies(pasted):
    assert parse_login_input(pasted) == WANTED


@pytest.mark.parametrize("pasted", [FAKE_SESSION_KEY, f"sessionKey={FAKE_SESSION_KEY}",
                                    f'"{FAKE_SESSION_KEY}"\n'])
def test_a_bare_session_key_still_works(pasted):
    assert parse_login_input(pasted) == {"sessionKey": FAKE_SESSION_KEY}


@pytest.mark.parametrize(("pasted", "words"), [
    ("curl 'https://example.com/x' -b 'sessionKey=sk-ant-sid01-x'", "for example.com, not claude"),
    (f"Cookie: cf_clearance={CLEARANCE}", "no sessionKey cookie"),
    ("curl 'https://claude.ai/x' -H 'cookie: sessionKey=abc", "cut off"),
    ("   ", "nothing was pasted"),
])
def test_unusable_pastes_are_refused_in_words(pasted, words):
    with pytest.raises(PastedTextError, match=words):
        parse_login_input(pasted)


def _home_text() -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in paths.home_dir().rglob("*") if p.is_file())


def test_login_from_curl_stores_only_the_session_and_cloudflare_cookies(upstream_env):
    result = runner.invoke(app, ["login", "--stdin"], input=BASH_CURL)
    assert result.exit_code == 0, result.output
    assert "Cloudflare cookies" in result.output
    for secret in (FAKE_SESSION_KEY, CLEARANCE, BM, DROP):
        assert secret not in result.output
    assert json.loads(paths.secrets_file().read_text()) == {"session_key": FAKE_SESSION_KEY}
    assert json.loads(cookie_store.cookies_file().read_text()) == {
        "cf_clearance": CLEARANCE, "__cf_bm": BM}
    if os.name != "nt":
        assert stat.S_IMODE(cookie_store.cookies_file().stat().st_mode) == 0o600
    assert DROP not in _home_text()
    seen = [r for r in upstream_env.requests if r.path == "/api/organizations"][-1]
    assert f"cf_clearance={CLEARANCE}" in seen.headers["cookie"]
    assert DROP not in str(seen.headers)  # the pasted device id and headers are not replayed
    assert seen.headers["anthropic-device-id"] == cookie_store.device_id()


def test_login_with_hidden_input_reads_a_multi_line_curl(upstream_env):
    import sys

    import pexpect

    child = pexpect.spawn(sys.executable, ["-m", "claude_carthing", "login"],
                          env=os.environ.copy(), encoding="utf-8", timeout=60)
    child.expect("Session key: ")
    for line in BASH_CURL.splitlines():
        child.sendline(line)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Cloudflare cookies" in child.before
    for secret in (FAKE_SESSION_KEY, CLEARANCE, BM, DROP):
        assert secret not in child.before  # never echoed
    assert cookie_store.read_cloudflare() == {"cf_clearance": CLEARANCE, "__cf_bm": BM}


def test_login_for_another_site_stores_nothing(upstream_env):
    result = runner.invoke(app, ["login", "--stdin"],
                           input=BASH_CURL.replace("https://claude.ai", "https://evil.example"))
    assert result.exit_code != 0 and "not claude.ai" in result.output
    assert not paths.secrets_file().exists() and not cookie_store.cookies_file().exists()


def test_cookies_go_to_the_keyring_when_one_works(upstream_env, monkeypatch):
    import keyring.core

    from tests.support import memory_keyring

    monkeypatch.setattr(keyring.core, "_keyring_backend", memory_keyring.MemoryKeyring())
    monkeypatch.setattr(memory_keyring, "_STORE", {})
    assert runner.invoke(app, ["login", "--stdin"], input=HEADER).exit_code == 0
    assert not cookie_store.cookies_file().exists() and not paths.secrets_file().exists()
    assert cookie_store.read_cloudflare() == {"cf_clearance": CLEARANCE, "__cf_bm": BM}
    assert DROP not in str(memory_keyring._STORE) and DROP not in _home_text()
    assert runner.invoke(app, ["logout"]).exit_code == 0
    assert cookie_store.read_cloudflare() == {}
    assert memory_keyring._STORE == {}


def _poller(upstream):
    settings = load_settings(web_url=upstream.url, api_url=upstream.url, timeout=1.0,
                             source="web")
    return Poller(ClaudeSource(settings), interval=300)


def test_reads_send_the_cookies_with_a_stable_device_id(upstream_env):
    assert runner.invoke(app, ["login", "--stdin"], input=BASH_CURL).exit_code == 0
    at_login = cookie_store.device_id()
    poller = _poller(upstream_env)
    assert poller.poll_once().state == "live"
    assert poller.poll_once().state == "live"
    ids = {r.headers["anthropic-device-id"] for r in upstream_env.usage_requests()}
    assert ids == {at_login}


def test_a_bare_cookie_is_challenged_by_the_checking_upstream(upstream_env):
    assert runner.invoke(app, ["login", "--stdin"], input=HEADER).exit_code == 0
    cookie_store.delete_cloudflare()
    snap = _poller(upstream_env).poll_once()
    assert snap.error_kind == "cloudflare"


def test_refreshed_cookies_from_set_cookie_are_stored_and_sent(upstream_env, caplog):
    assert runner.invoke(app, ["login", "--stdin"], input=HEADER).exit_code == 0
    upstream_env.set_cookies = {"cf_clearance": "FAKE-canary-cf-clearance-0002",
                                "__cf_bm": "FAKE-canary-cf-bm-0002"}
    poller = _poller(upstream_env)
    assert poller.poll_once().state == "live"
    assert cookie_store.read_cloudflare() == {"cf_clearance": "FAKE-canary-cf-clearance-0002",
                                              "__cf_bm": "FAKE-canary-cf-bm-0002"}
    upstream_env.set_cookies = {}
    assert poller.poll_once().state == "live"
    last = upstream_env.usage_requests()[-1].headers["cookie"]
    assert "cf_clearance=FAKE-canary-cf-clearance-0002" in last
    assert "FAKE-canary" not in caplog.text
