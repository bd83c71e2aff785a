"""The one owner of fetching: last good data, staleness, backoff, pause and resume."""

from __future__ import annotations

import json
import logging
import math
import os
import time

import pytest

from claude_carthing.history import History
from claude_carthing.poller import Poller
from claude_carthing.serving.payload import health_document, usage_document
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_upstream import ORG_ID, FakeUpstream


@pytest.fixture
def clock():
    return Clock()


def make_poller(upstream: FakeUpstream, clock: Clock, *, source="auto", history=None,
                jitter=0.5):
    settings = load_settings(web_url=upstream.url, api_url=upstream.url, timeout=1.0,
                             source=source)
    return Poller(ClaudeSource(settings), interval=300, history=history, clock=clock,
                  monotonic=clock, jitter=lambda: jitter)


def test_success_then_failure_keeps_last_good_data_marked_stale(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert snap.state == "live" and snap.usage.window("five_hour").utilization == 15.0
    assert snap.next_poll_at == clock.now + 300
    clock.now += 300
    fake_upstream.fail_with("server_500")
    snap = poller.poll_once()
    assert snap.state == "stale" and snap.stale
    assert snap.usage.window("five_hour").utilization == 15.0
    assert snap.last_success_at == clock.now - 300
    assert "server error" in snap.last_error and snap.error_kind == "server"
    fake_upstream.set_usage("legacy")
    snap = poller.poll_once()
    assert snap.state == "live" and snap.usage.window("five_hour").utilization == 17.0
    assert snap.last_error is None


def test_failures_back_off_with_growth_and_honour_retry_after(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    fake_upstream.fail_with("timeout")
    delays = []
    for _ in range(3):
        snap = poller.poll_once()
        delays.append(snap.next_poll_at - clock.now)
        clock.now = snap.next_poll_at
    assert delays == [330, 660, 1320]  # the interval, doubling; jitter fixed at mid-range
    fake_upstream.fail_with("rate_limit_big")
    snap = poller.poll_once()
    assert snap.next_poll_at - clock.now == 3600  # the server's positive retry-after wins


def test_retry_after_zero_is_treated_as_unknown_and_backs_off_minutes(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    fake_upstream.fail_with("rate_limit_0")
    first = poller.poll_once()
    assert first.next_poll_at - clock.now == 330  # not 0: minutes, growing
    clock.now = first.next_poll_at
    second = poller.poll_once()
    assert second.next_poll_at - clock.now == 660
    assert second.error_kind == "rate_limited"


def test_jitter_spreads_retries(fake_upstream, clock):
    creds.write_oauth()
    fake_upstream.fail_with("server_500")
    low = make_poller(fake_upstream, clock, jitter=0.0).poll_once()
    high = make_poller(fake_upstream, clock, jitter=1.0).poll_once()
    assert low.next_poll_at - clock.now == 300  # jitter only ever lengthens a wait
    assert high.next_poll_at - clock.now == 300 * 1.2


def test_auth_failure_pauses_until_credentials_change(fake_upstream, clock):
    creds.write_oauth(token="sk-ant-xyz-not-an-oauth-token")  # the fake refuses it with 401
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert snap.paused and snap.next_poll_at is None
    assert snap.error_kind == "auth" and "open Claude Code" in snap.last_error
    poller.start()
    try:
        time.sleep(0.3)
        assert len(fake_upstream.usage_requests()) == 1  # no hammering while paused
        path = creds.write_oauth()
        os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and poller.snapshot().state != "live":
            time.sleep(0.05)
        assert poller.snapshot().state == "live"
    finally:
        poller.stop()


def test_auto_falls_over_to_the_web_session_when_oauth_is_refused(fake_upstream, clock):
    creds.write_oauth()
    creds.write_web(org_id=ORG_ID)
    fake_upstream.fail_with("oauth_401", "oauth")
    snap = make_poller(fake_upstream, clock).poll_once()
    assert snap.state == "live" and snap.source == "web"


def test_a_refused_oauth_token_is_not_retried_until_it_changes(fake_upstream, clock):
    creds.write_oauth()
    creds.write_web(org_id=ORG_ID)
    fake_upstream.fail_with("oauth_401", "oauth")
    poller = make_poller(fake_upstream, clock)
    for _ in range(3):
        assert poller.poll_once().source == "web"
    oauth_reads = [r for r in fake_upstream.requests if r.path == "/api/oauth/usage"]
    assert len(oauth_reads) == 1
    fake_upstream.heal()
    creds.write_oauth(token="sk-ant-oat01-FAKE-canary-new-login-0001")  # Claude Code refreshed
    assert poller.poll_once().source == "oauth"


def test_expired_oauth_login_uses_web_without_sending_the_token(fake_upstream, clock):
    creds.write_oauth(expires_in_s=-10)
    creds.write_web(org_id=ORG_ID)
    snap = make_poller(fake_upstream, clock).poll_once()
    assert snap.source == "web"
    assert all(r.path != "/api/oauth/usage" for r in fake_upstream.requests)


def test_expired_oauth_login_alone_says_to_open_claude_code(fake_upstream, clock):
    creds.write_oauth(expires_in_s=-10)
    snap = make_poller(fake_upstream, clock).poll_once()
    assert snap.state == "error"
    assert "open Claude Code" in snap.last_error
    assert fake_upstream.requests == []


def test_source_setting_forces_one_route(fake_upstream, clock):
    creds.write_oauth()
    creds.write_web(org_id=ORG_ID)
    assert make_poller(fake_upstream, clock, source="web").poll_once().source == "web"
    assert make_poller(fake_upstream, clock, source="oauth").poll_once().source == "oauth"


def test_no_credentials_is_not_configured_with_login_hint(fake_upstream, clock):
    snap = make_poller(fake_upstream, clock).poll_once()
    assert snap.state == "not_configured" and "claude-carthing login" in snap.last_error
    assert fake_upstream.requests == []


def test_garbage_credentials_file_is_a_clear_state_not_a_crash(fake_upstream, clock):
    creds.claude_dir().mkdir(parents=True)
    (creds.claude_dir() / ".credentials.json").write_text("{garbage")
    snap = make_poller(fake_upstream, clock).poll_once()
    assert snap.state == "error" and "not valid JSON" in snap.last_error


def test_rotated_session_key_is_stored(fake_upstream, clock):
    from claude_carthing.upstream import credentials

    creds.write_web(org_id=ORG_ID)
    fake_upstream.set_cookie = "sk-ant-sid01-FAKE-canary-rotated-0002"
    make_poller(fake_upstream, clock, source="web").poll_once()
    assert credentials.read_web().session_key == "sk-ant-sid01-FAKE-canary-rotated-0002"


def test_logs_once_per_transition_not_per_poll(fake_upstream, clock, caplog):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    caplog.set_level(logging.INFO, logger="claude_carthing")
    poller.poll_once()
    fake_upstream.fail_with("cloudflare")
    for _ in range(5):
        poller.poll_once()
    fake_upstream.heal()
    poller.poll_once()
    poller.poll_once()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Cloudflare" in m for m in messages) == 1
    assert sum("work again" in m for m in messages) == 1


def test_manual_refresh_is_rate_limited(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    poller.poll_once()
    accepted, wait = poller.request_refresh()
    assert not accepted and wait == pytest.approx(60)  # never faster than the upstream minimum
    clock.now += 61
    accepted, _ = poller.request_refresh()
    assert accepted and poller.snapshot().next_poll_at == clock.now
    accepted, wait = poller.request_refresh()
    assert not accepted and wait == pytest.approx(60)


def test_manual_refresh_never_breaks_a_rate_limit_backoff(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    fake_upstream.fail_with("rate_limit_big")
    snap = poller.poll_once()
    clock.now += 120
    accepted, wait = poller.request_refresh()
    assert not accepted and wait == pytest.approx(snap.next_poll_at - clock.now)
    assert len(fake_upstream.usage_requests()) == 1


def test_wrong_org_backs_off_instead_of_pausing(fake_upstream, clock):
    creds.write_web(org_id=ORG_ID)
    fake_upstream.fail_with("wrong_org", "web")
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert not snap.paused and snap.next_poll_at == clock.now + 330
    assert "organization" in snap.last_error
    fake_upstream.heal()  # e.g. the VPN was turned off
    clock.now = snap.next_poll_at
    assert poller._due()
    assert poller.poll_once().state == "live"


def test_an_expired_oauth_login_is_looked_at_again_without_pausing(fake_upstream, clock):
    creds.write_oauth(expires_in_s=-10)
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert not snap.paused and snap.next_poll_at == clock.now + 60
    assert fake_upstream.requests == []  # an expired token is never sent


def test_each_success_is_written_to_history(fake_upstream, clock, tmp_path):
    creds.write_oauth()
    history = History(tmp_path / "h.sqlite3")
    poller = make_poller(fake_upstream, clock, history=history)
    poller.poll_once()
    clock.now += 300
    fake_upstream.fail_with("server_500")
    poller.poll_once()
    clock.now += 300
    fake_upstream.set_usage("legacy")
    poller.poll_once()
    series = history.series(0, "five_hour")["five_hour"]
    assert series == [(int((clock.now - 600) * 1000), 15.0), (int(clock.now * 1000), 17.0)]


# --- waits: finite, capped, never shorter than the interval; one read at a time -------------


def _wait(snap, clock) -> float:
    return snap.next_poll_at - clock.now


@pytest.mark.parametrize("value", ["inf", "1e309", "-inf", "nan", "Infinity"])
def test_a_non_finite_retry_after_leaves_a_finite_wait_and_a_servable_state(
        fake_upstream, clock, value):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    poller.poll_once()
    fake_upstream.rate_limit(value)
    snap = poller.poll_once()
    assert snap.error_kind == "rate_limited"
    assert math.isfinite(snap.next_poll_at) and 300 <= _wait(snap, clock) <= 3600
    # /usage, /health and the refresh answer are built from this state; inf made them 500.
    json.dumps(usage_document(snap, clock.now), allow_nan=False)
    json.dumps(health_document(snap), allow_nan=False)
    clock.now = snap.next_poll_at
    fake_upstream.heal()
    assert poller.poll_once().state == "live"  # polling resumes


def test_every_wait_is_capped_even_when_the_server_asks_for_days(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    fake_upstream.rate_limit("99999999")
    assert _wait(poller.poll_once(), clock) == 3600  # one hour at most, whatever it asks


@pytest.mark.parametrize(("kind", "route"), [
    ("timeout", None), ("server_500", None), ("server_503_html", None), ("cloudflare", None),
    ("rate_limit_0", None), ("malformed", None), ("wrong_org", "web")])
def test_no_failure_ever_shortens_the_normal_interval(fake_upstream, clock, kind, route):
    creds.write_web(org_id=ORG_ID)
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock, source="web" if route else "oauth", jitter=0.0)
    fake_upstream.fail_with(kind, route)
    for _ in range(3):
        snap = poller.poll_once()
        assert snap.error_kind is not None
        assert _wait(snap, clock) >= 300  # the interval: a failure never asks Claude sooner
        clock.now = snap.next_poll_at


def test_the_failure_backoff_stops_growing_at_its_cap(fake_upstream, clock):
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock, jitter=1.0)
    fake_upstream.fail_with("server_500")
    delays = []
    for _ in range(12):
        snap = poller.poll_once()
        delays.append(_wait(snap, clock))
        clock.now = snap.next_poll_at
    assert delays[:3] == [360, 720, 1440]  # interval, doubling, with the most jitter
    assert max(delays) == 1800 and delays[-4:] == [1800] * 4  # 30 min, then no further


def test_a_refresh_during_an_in_flight_read_does_not_cause_a_second_read(fake_upstream):
    creds.write_oauth()
    settings = load_settings(api_url=fake_upstream.url, web_url=fake_upstream.url, timeout=5.0)
    poller = Poller(ClaudeSource(settings), interval=300)
    fake_upstream.slow(1.5)
    poller.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not fake_upstream.usage_requests():
            time.sleep(0.02)
        assert len(fake_upstream.usage_requests()) == 1  # the first read is in flight
        poller.request_refresh()  # the dial pressed meanwhile
        while time.monotonic() < deadline and poller.snapshot().state != "live":
            time.sleep(0.05)
        time.sleep(1.0)
        assert poller.snapshot().state == "live"
        assert len(fake_upstream.usage_requests()) == 1
    finally:
        poller.stop()


def test_no_refresh_is_accepted_while_paused_on_refused_credentials(fake_upstream, clock):
    creds.write_oauth(token="sk-ant-xyz-not-an-oauth-token")  # the fake refuses it with 401
    poller = make_poller(fake_upstream, clock)
    assert poller.poll_once().paused
    clock.now += 600
    accepted, _ = poller.request_refresh()
    assert not accepted
    assert poller.snapshot().paused and len(fake_upstream.usage_requests()) == 1


class SteppedClock(Clock):
    """A wall clock an NTP step or a user can set back."""


def test_a_wall_clock_stepped_back_does_not_stall_polling(fake_upstream):
    creds.write_oauth()
    wall, mono = SteppedClock(), Clock()
    mono.now = 1000.0
    settings = load_settings(api_url=fake_upstream.url, web_url=fake_upstream.url, timeout=5.0)
    poller = Poller(ClaudeSource(settings), interval=300, clock=wall, monotonic=mono,
                    jitter=lambda: 0.5)
    snap = poller.poll_once()
    assert snap.next_poll_at == wall.now + 300  # shown in wall-clock time
    wall.now -= 3600  # the clock is set back an hour
    mono.now += 61
    assert poller.request_refresh()[0]  # the refresh cooldown runs on the monotonic clock
    poller.poll_once()
    mono.now += 301
    poller.start()
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(fake_upstream.usage_requests()) < 3:
            time.sleep(0.05)
        assert len(fake_upstream.usage_requests()) == 3  # the scheduled read still happens
    finally:
        poller.stop()


def test_cloudflare_rate_limit_page_backs_off_as_a_rate_limit(fake_upstream, clock):
    creds.write_web(org_id=ORG_ID)
    poller = make_poller(fake_upstream, clock, source="web")
    fake_upstream.fail_with("cloudflare_1015")  # HTML 429, error 1015: not a challenge
    snap = poller.poll_once()
    assert snap.error_kind == "rate_limited"
    clock.now += 120
    assert not poller.request_refresh()[0]  # a dial press must not break this backoff


# --- an expired OAuth token gets 429 now, not 401 ---------------------------------------------


def test_a_429_on_a_token_expiring_within_the_interval_means_open_claude_code(
        fake_upstream, clock):
    creds.write_oauth(expires_in_s=120)  # expires before the next scheduled read
    fake_upstream.rate_limit("1000", "oauth")  # what Claude answers such a token now
    snap = make_poller(fake_upstream, clock, source="oauth").poll_once()
    assert snap.error_kind == "auth" and "open Claude Code" in snap.last_error
    assert snap.paused  # until Claude Code writes a fresh token, not a 1000 s rate-limit wait


def test_a_429_on_an_expiring_token_falls_over_to_the_web_session_at_once(fake_upstream, clock):
    creds.write_oauth(expires_in_s=120)
    creds.write_web(org_id=ORG_ID)
    fake_upstream.rate_limit("1000", "oauth")
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert snap.state == "live" and snap.source == "web"  # in the same read
    clock.now = snap.next_poll_at
    assert poller.poll_once().source == "web"
    assert len([r for r in fake_upstream.requests if r.path == "/api/oauth/usage"]) == 1


def test_a_429_on_a_fresh_token_stays_a_rate_limit(fake_upstream, clock):
    creds.write_oauth(expires_in_s=8 * 3600)
    fake_upstream.rate_limit("1000", "oauth")
    snap = make_poller(fake_upstream, clock, source="oauth").poll_once()
    assert snap.error_kind == "rate_limited" and not snap.paused


def test_a_token_whose_expiry_has_passed_is_never_sent_whatever_its_format(fake_upstream, clock):
    path = creds.write_oauth()
    data = json.loads(path.read_text())
    data["claudeAiOauth"]["expiresAt"] = str(int((time.time() - 60) * 1000))  # a string
    path.write_text(json.dumps(data))
    snap = make_poller(fake_upstream, clock, source="oauth").poll_once()
    assert "open Claude Code" in snap.last_error
    assert fake_upstream.requests == []
