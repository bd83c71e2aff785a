"""What `/usage`, `/health`, `/api/history` and `/api/refresh` answer, in-process and live."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from starlette.testclient import TestClient

from claude_carthing.poller import Poller
from claude_carthing.serving.server import create_app
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer


def app_client(upstream: FakeUpstream, client_ip="127.0.0.1", poll=True, **settings):
    config = load_settings(web_url=upstream.url, api_url=upstream.url, timeout=1.0, **settings)
    poller = Poller(ClaudeSource(config), interval=300)
    if poll:
        poller.poll_once()
    app = create_app(poller, config)
    client = TestClient(app, base_url="http://127.0.0.1:8080", client=(client_ip, 50000))
    return client, poller


def get_json(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(response.read())


def test_usage_is_compatible_with_the_original_page_and_has_our_keys(live_server):
    _, headers, doc = get_json(live_server.url + "/usage")
    assert doc["five_hour"] == {"utilization": 15.0,
                                "resets_at": "2026-07-19T03:39:59.570750+00:00"}
    assert doc["seven_day"]["utilization"] == 48.0
    assert doc["seven_day_sonnet"] is None and doc["seven_day_opus"] is None
    assert doc["seven_day_fable"]["utilization"] == 81.0
    assert "status" not in doc and "error" not in doc
    assert [w["label"] for w in doc["windows"]] == ["5-hour", "Weekly", "Weekly · Fable"]
    assert doc["extra_usage"]["used"] == pytest.approx(408.43)
    assert doc["plan"] == {"name": "Ultra", "tier": "default_claude_max_20x"}  # renamed 2026-10-30
    meta = doc["meta"]
    assert meta["state"] == "live" and meta["stale"] is False and meta["source"] == "oauth"
    assert isinstance(meta["server_time_ms"], int) and "utc_offset_minutes" in meta
    assert meta["next_poll_at_ms"] - meta["fetched_at_ms"] == 300_000
    assert headers["content-type"].startswith("application/json")


def test_limits_only_payload_fills_the_legacy_objects(fake_upstream):
    fake_upstream.set_usage("limits_only")
    creds.write_oauth()
    client, _ = app_client(fake_upstream)
    doc = client.get("/usage").json()
    assert doc["five_hour"]["utilization"] == 62.0
    assert doc["seven_day"]["utilization"] == 33.5
    assert doc["seven_day_sonnet"]["utilization"] == 97.0


@pytest.mark.parametrize(
    ("kind", "error_kind", "words"),
    [
        ("cloudflare", "cloudflare", "Cloudflare"),
        ("rate_limit_0", "rate_limited", "rate-limiting"),
        ("rate_limit_big", "rate_limited", "rate-limiting"),
        ("timeout", "network", "timeout"),
        ("server_500", "server", "server error"),
        ("malformed", "schema", "not JSON"),
        ("oauth_401", "auth", "open Claude Code"),
        ("scope_403", "auth", "setup-token"),
    ],
)
def test_after_each_failure_last_good_data_survives_marked_stale(
        fake_upstream, kind, error_kind, words):
    creds.write_oauth()
    client, poller = app_client(fake_upstream)
    fake_upstream.fail_with(kind)
    poller.poll_once()
    doc = client.get("/usage").json()
    assert doc["five_hour"]["utilization"] == 15.0
    assert "error" not in doc and "status" not in doc
    assert doc["meta"]["state"] == "stale" and doc["meta"]["stale"] is True
    assert doc["meta"]["error_kind"] == error_kind
    assert words in doc["meta"]["last_error"]
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["has_data"] and health["stale"]


@pytest.mark.parametrize(("kind", "words"), [("expired", "claude-carthing login"),
                                             ("wrong_org", "organization")])
def test_web_session_failures_are_named(fake_upstream, kind, words):
    from tests.support.fake_upstream import ORG_ID

    creds.write_web(org_id=ORG_ID)
    fake_upstream.fail_with(kind, "web")
    client, _ = app_client(fake_upstream)
    doc = client.get("/usage").json()
    assert doc["meta"]["state"] == "error" and doc["meta"]["error_kind"] == "auth"
    assert words in doc["error"]


def test_no_credentials_explains_how_to_log_in(fake_upstream):
    client, _ = app_client(fake_upstream)
    doc = client.get("/usage").json()
    assert doc["meta"]["state"] == "not_configured"
    assert "claude-carthing login" in doc["error"]
    assert doc["windows"] == [] and doc["five_hour"] is None
    assert client.get("/health").json() == {**client.get("/health").json(), "has_data": False}


def test_free_plan_shows_no_windows_without_an_error(fake_upstream):
    creds.write_oauth()
    fake_upstream.set_usage("free_plan")
    client, _ = app_client(fake_upstream)
    doc = client.get("/usage").json()
    assert doc["meta"]["state"] == "live" and doc["windows"] == []
    assert "error" not in doc


def test_codename_windows_are_served_and_junk_keys_ignored(fake_upstream):
    creds.write_oauth()
    fake_upstream.set_usage("codenames")
    client, _ = app_client(fake_upstream)
    doc = client.get("/usage").json()
    assert doc["iguana_necktie"]["utilization"] == 42.0
    assert doc["five_hour"]["utilization"] == 104.5
    assert "tangelo" not in doc and "nimbus_quill" not in doc


def test_etag_gives_304_until_the_data_changes(fake_upstream):
    creds.write_oauth()
    client, poller = app_client(fake_upstream)
    first = client.get("/usage")
    tag = first.headers["etag"]
    assert client.get("/usage", headers={"If-None-Match": tag}).status_code == 304
    fake_upstream.set_usage("legacy")
    poller.poll_once()
    changed = client.get("/usage", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()["five_hour"]["utilization"] == 17.0


def test_cors_for_the_device_page_and_configured_origins_only(fake_upstream):
    creds.write_oauth()
    device, _ = app_client(fake_upstream, client_ip="172.16.42.2",
                           cors_origins="http://dash.example")
    for origin in ("null", "file://", "http://dash.example"):
        allowed = device.get("/usage", headers={"Origin": origin})
        assert allowed.headers["access-control-allow-origin"] == origin
        assert allowed.headers["vary"] == "Origin"
    other = device.get("/usage", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
    assert device.post("/api/refresh", headers={"Origin": "https://evil.example"}).status_code \
        == 403
    preflight = device.options("/usage", headers={"Origin": "https://evil.example",
                                                  "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 403


@pytest.mark.parametrize(("ip", "allowed"), [
    ("127.0.0.1", True), ("172.16.42.2", True), ("10.42.1.90", True), ("::1", True),
    ("192.168.1.20", False), ("8.8.8.8", False), ("172.16.43.2", False)])
def test_only_loopback_and_car_thing_subnets_are_answered(fake_upstream, ip, allowed):
    creds.write_oauth()
    client, poller = app_client(fake_upstream, client_ip=ip)
    asked = []
    poller.request_refresh = lambda: asked.append(True) or (True, 0.0)
    for path, marker in (("/health", '"has_data"'), ("/usage", '"five_hour"'),
                         ("/api/history", '"series"')):
        response = client.get(path)
        assert response.status_code == (200 if allowed else 403), path
        assert (marker in response.text) == allowed, path
    refresh = client.post("/api/refresh")
    assert refresh.status_code == (202 if allowed else 403)
    assert asked == ([True] if allowed else [])


def test_allow_list_can_be_widened(fake_upstream):
    client, _ = app_client(fake_upstream, client_ip="192.168.1.20", poll=False,
                           allow="192.168.1.0/24")
    assert client.get("/health").status_code == 200


def test_foreign_host_header_is_refused_against_dns_rebinding(fake_upstream):
    client, _ = app_client(fake_upstream, poll=False)
    assert client.get("/usage", headers={"Host": "attacker.example"}).status_code == 421
    assert client.get("/usage", headers={"Host": "172.16.42.1:8080"}).status_code == 200
    assert client.get("/usage", headers={"Host": "localhost:8080"}).status_code == 200


def test_browsers_get_the_page_and_scripts_get_json(live_server):
    html = urllib.request.urlopen(urllib.request.Request(
        live_server.url + "/", headers={"Accept": "text/html,*/*"}), timeout=5).read()
    assert b"<html" in html.lower()
    _, _, doc = get_json(live_server.url + "/")
    assert doc["five_hour"]["utilization"] == 15.0


def test_history_endpoint_returns_samples_for_charts(live_server):
    live_server.poller.poll_once()
    _, _, doc = get_json(live_server.url + "/api/history?window=five_hour&hours=1")
    points = doc["series"]["five_hour"]
    assert len(points) == 2 and all(p[1] == 15.0 for p in points)
    assert points[0][0] < points[1][0]
    _, _, everything = get_json(live_server.url + "/api/history")
    assert set(everything["series"]) == {"five_hour", "seven_day", "seven_day_fable"}


def test_refresh_endpoint_is_rate_limited(live_server, fake_upstream):
    request = urllib.request.Request(live_server.url + "/api/refresh", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 429
    assert int(refused.value.headers["Retry-After"]) >= 1


def test_refresh_endpoint_triggers_an_early_read(fake_upstream):
    import time

    skew = [0.0]
    with LiveServer(upstream=fake_upstream, clock=lambda: time.time() + skew[0],
                    monotonic=lambda: time.monotonic() + skew[0]) as server:
        before = len(fake_upstream.usage_requests())
        first = server.poller.snapshot().last_attempt_at
        skew[0] = 61.0  # a minute later: a dial press may ask for a read
        request = urllib.request.Request(server.url + "/api/refresh", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 202
        server.wait_for_attempt(first)
        assert len(fake_upstream.usage_requests()) == before + 1


def test_server_starts_with_no_credentials_and_picks_up_a_login(fake_upstream, tmp_path):
    with LiveServer(upstream=fake_upstream, source=None) as server:
        _, _, doc = get_json(server.url + "/usage")
        assert doc["meta"]["state"] == "not_configured"
        creds.write_oauth()
        from claude_carthing.upstream.credentials import touch_stamp

        touch_stamp()
        server.wait_for_attempt(server.poller.snapshot().last_attempt_at, timeout=15)
        _, _, doc = get_json(server.url + "/usage")
        assert doc["meta"]["state"] == "live"


def test_demo_mode_is_labelled(tmp_path):
    with LiveServer(source=None, demo=True) as server:
        _, _, doc = get_json(server.url + "/usage")
    assert doc["meta"]["state"] == "demo" and doc["meta"]["demo"] is True
    assert doc["plan"]["name"] == "Demo"
    assert any(w["utilization"] >= 80 for w in doc["windows"])


def test_refusals_carry_cors_so_the_device_page_can_show_them(fake_upstream):
    client, _ = app_client(fake_upstream, client_ip="172.16.42.2", poll=False)
    refused = client.get("/usage", headers={"Origin": "null", "Host": "evil.example"})
    assert refused.status_code == 421
    assert refused.headers["access-control-allow-origin"] == "null"


def test_demo_readings_stay_out_of_the_real_history(tmp_path):
    from claude_carthing import paths

    with LiveServer(source=None, demo=True) as server:
        _, _, doc = get_json(server.url + "/api/history")
    assert doc["series"]  # the demo has its own history for its charts
    assert not paths.history_db().exists()


def test_server_clock_is_reported_with_offset(fake_upstream):
    import time

    with LiveServer(upstream=fake_upstream, clock_offset_s=5 * 3600) as server:
        _, _, doc = get_json(server.url + "/usage")
    assert abs(doc["meta"]["server_time_ms"] / 1000 - (time.time() + 5 * 3600)) < 5


@pytest.mark.parametrize("retry_after", ["inf", "1e309"])
def test_an_endless_retry_after_leaves_every_endpoint_answering(fake_upstream, retry_after):
    fake_upstream.rate_limit(retry_after)
    with LiveServer(upstream=fake_upstream) as server:
        server.wait_for_attempt(None)
        status, _, doc = get_json(server.url + "/usage")
        assert status == 200 and doc["meta"]["state"] == "error"
        assert doc["meta"]["error_kind"] == "rate_limited"
        assert get_json(server.url + "/health")[0] == 200
        request = urllib.request.Request(server.url + "/api/refresh", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 429  # the backoff holds, for at most an hour
        assert 1 <= int(refused.value.headers["Retry-After"]) <= 3600
