"""The real HTTP client against a real HTTP server on loopback playing Claude."""

from __future__ import annotations

import json
import time

import pytest

from claude_carthing import errors
from claude_carthing.settings import load_settings
from claude_carthing.upstream import credentials
from claude_carthing.upstream.client import UsageClient, retry_after_seconds
from claude_carthing.upstream.credentials import OAuthCredentials, WebCredentials
from tests.support.creds import FAKE_OAUTH_TOKEN, FAKE_SESSION_KEY
from tests.support.fake_upstream import ORG_ID, FakeUpstream


@pytest.fixture
def client(fake_upstream: FakeUpstream):
    c = UsageClient(load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url,
                                  timeout=1.0))
    yield c
    c.close()


def oauth(expires_in=3600.0):
    from datetime import datetime, timedelta, timezone

    return OAuthCredentials(FAKE_OAUTH_TOKEN, datetime.now(timezone.utc)
                            + timedelta(seconds=expires_in), ("user:profile",), "max", None)


def web(org_id=ORG_ID):
    return WebCredentials(FAKE_SESSION_KEY, org_id, "file")


def test_oauth_route_sends_claude_code_headers(client, fake_upstream):
    usage = client.fetch_oauth(oauth())
    assert usage.window("five_hour").utilization == 15.0
    seen = fake_upstream.usage_requests()[-1]
    assert seen.path == "/api/oauth/usage"
    assert seen.headers["authorization"] == f"Bearer {FAKE_OAUTH_TOKEN}"
    assert seen.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert seen.headers["user-agent"].startswith("claude-code/")
    assert "cookie" not in seen.headers


def test_web_route_sends_cookie_with_browser_fingerprint(client, fake_upstream):
    reading = client.fetch_web(web())
    assert reading.usage.window("seven_day").utilization == 48.0
    seen = fake_upstream.usage_requests()[-1]
    assert seen.path == f"/api/organizations/{ORG_ID}/usage"
    assert f"sessionKey={FAKE_SESSION_KEY}" in seen.headers["cookie"]
    assert "Chrome" in seen.headers["user-agent"]  # curl_cffi impersonation
    assert "authorization" not in seen.headers


def test_org_is_discovered_preferring_the_chat_org_over_an_api_org(client, fake_upstream):
    reading = client.fetch_web(web(org_id=None))
    assert reading.org.uuid == ORG_ID
    assert reading.org.plan == "Ultra"  # tier default_claude_max_20x: "Max 20x" until 2026-10-30
    assert [r.path for r in fake_upstream.requests][:2] == [
        "/api/organizations", f"/api/organizations/{ORG_ID}/usage"]


def test_stale_org_id_is_rediscovered(client, fake_upstream):
    reading = client.fetch_web(web(org_id="11111111-dead-4000-8000-000000000000"))
    assert reading.org.uuid == ORG_ID
    assert reading.usage.window("five_hour") is not None


def test_rotated_session_cookie_is_reported(client, fake_upstream):
    fake_upstream.set_cookie = "sk-ant-sid01-FAKE-canary-rotated-0001"
    reading = client.fetch_web(web())
    assert reading.new_session_key == "sk-ant-sid01-FAKE-canary-rotated-0001"


@pytest.mark.parametrize(
    ("kind", "route", "error", "words"),
    [
        ("cloudflare", "web", errors.CloudflareChallengeError, "Cloudflare"),
        ("cloudflare", "oauth", errors.CloudflareChallengeError, "Cloudflare"),
        ("expired", "web", errors.SessionExpiredError, "claude-carthing login"),
        ("oauth_401", "oauth", errors.OAuthTokenError, "open Claude Code"),
        ("scope_403", "oauth", errors.OAuthScopeError, "setup-token"),
        ("rate_limit_0", "oauth", errors.RateLimitedError, "rate-limiting"),
        ("rate_limit_big", "web", errors.RateLimitedError, "rate-limiting"),
        ("server_500", "web", errors.ServerError, "server error"),
        ("server_503_html", "oauth", errors.ServerError, "server error"),
        ("cloudflare_1015", "web", errors.RateLimitedError, "rate-limiting"),
        ("cloudflare_503", "web", errors.CloudflareChallengeError, "Cloudflare"),
        ("malformed", "oauth", errors.SchemaError, "not JSON"),
        ("not_object", "web", errors.SchemaError, "not a usage object"),
        ("timeout", "oauth", errors.NetworkError, "timeout"),
    ],
)
def test_every_failure_is_classified_in_words(client, fake_upstream, kind, route, error, words):
    fake_upstream.fail_with(kind, route)
    with pytest.raises(error) as caught:
        if route == "oauth":
            client.fetch_oauth(oauth())
        else:
            client.fetch_web(web())
    assert words in str(caught.value)
    assert "FAKE-canary" not in str(caught.value)


def test_cloudflare_is_never_reported_as_an_expired_session(client, fake_upstream):
    fake_upstream.fail_with("cloudflare", "web")
    with pytest.raises(errors.UpstreamError) as caught:
        client.fetch_web(web())
    assert not isinstance(caught.value, errors.AuthError)
    assert "expired" not in str(caught.value)


def test_retry_after_zero_is_unknown_and_a_large_value_is_kept(client, fake_upstream):
    fake_upstream.fail_with("rate_limit_0")
    with pytest.raises(errors.RateLimitedError) as zero:
        client.fetch_oauth(oauth())
    assert zero.value.retry_after is None
    fake_upstream.fail_with("rate_limit_big")
    with pytest.raises(errors.RateLimitedError) as big:
        client.fetch_oauth(oauth())
    assert big.value.retry_after == 3600


def test_retry_after_as_http_date():
    now = time.time()
    from email.utils import formatdate

    assert retry_after_seconds(formatdate(now + 120, usegmt=True), now) == pytest.approx(120, 2)
    assert retry_after_seconds("garbage") is None


def test_expired_oauth_token_is_not_sent(client, fake_upstream):
    with pytest.raises(errors.OAuthTokenError, match="open Claude Code"):
        client.fetch_oauth(oauth(expires_in=-60))
    assert fake_upstream.usage_requests() == []


def test_unreachable_upstream_is_a_network_error():
    from tests.support.live_server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    client = UsageClient(load_settings(api_url=url, web_url=url, timeout=2.0))
    with pytest.raises(errors.NetworkError, match="cannot reach Claude"):
        client.fetch_oauth(oauth())
    client.close()


def test_oauth_file_is_read_and_never_written(tmp_path):
    from tests.support.creds import write_oauth

    path = write_oauth()
    before = path.read_bytes(), path.stat().st_mtime_ns
    creds = credentials.read_oauth()
    assert creds.access_token == FAKE_OAUTH_TOKEN and creds.subscription_type == "max"
    assert not creds.expired()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    path.write_text(json.dumps({"claudeAiOauth": {"accessToken": FAKE_OAUTH_TOKEN,
                                                  "expiresAt": 1000}}))
    assert credentials.read_oauth().expired()


def test_macos_keychain_item_is_read_when_there_is_no_file(tmp_path, monkeypatch):
    """On a Mac, Claude Code keeps its login in the Keychain; `security` prints it."""
    import os
    import stat
    import sys

    if os.name == "nt":
        pytest.skip("the stand-in `security` program is a POSIX script")
    item = json.dumps({"claudeAiOauth": {"accessToken": FAKE_OAUTH_TOKEN,
                                         "expiresAt": 4102444800000, "subscriptionType": "pro"}})
    fake = tmp_path / "bin" / "security"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    "assert sys.argv[1:] == ['find-generic-password', '-s', "
                    "'Claude Code-credentials', '-w']\n"
                    f"print({item!r})\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("claude_carthing.upstream.credentials.platform.system", lambda: "Darwin")
    creds = credentials.read_oauth()
    assert creds is not None and creds.subscription_type == "pro"
    assert creds.access_token == FAKE_OAUTH_TOKEN


@pytest.mark.parametrize("value", ["inf", "-inf", "1e309", "nan", "Infinity"])
def test_a_non_finite_retry_after_counts_as_unknown(value):
    assert retry_after_seconds(value) is None  # float() reads these; an endless wait stops polling
