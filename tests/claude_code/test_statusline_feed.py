"""A status line reading as a reading of the 5-hour and weekly windows, beside the poller's."""

from __future__ import annotations

import pytest

from claude_carthing.claude_code.readings import windows_from_statusline
from claude_carthing.poller import FEED_FRESH_S, Poller
from claude_carthing.serving.payload import usage_document
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_upstream import FakeUpstream

NOW = 1_800_000_000.0


def limits(five: float | None = 37.0, week: float | None = 64.0, reset: float = NOW + 3600):
    found = {}
    if five is not None:
        found["five_hour"] = {"used_percentage": five, "resets_at": reset}
    if week is not None:
        found["seven_day"] = {"used_percentage": week, "resets_at": reset + 86400}
    return found


def test_windows_whose_reset_has_passed_are_ignored() -> None:
    windows = windows_from_statusline(limits(reset=NOW - 1), NOW)
    assert [w.id for w in windows] == ["seven_day"]


def test_absent_windows_are_never_zero() -> None:
    assert [w.id for w in windows_from_statusline(limits(five=None), NOW)] == ["seven_day"]
    assert windows_from_statusline({}, NOW) == ()
    assert windows_from_statusline(None, NOW) == ()
    assert windows_from_statusline({"five_hour": {"resets_at": NOW + 60}}, NOW) == ()


def test_float_noise_is_rounded() -> None:
    [five, _] = windows_from_statusline(limits(five=14.000000000000002), NOW)
    assert five.utilization == 14


@pytest.fixture
def feed_poller(fake_upstream: FakeUpstream):
    clock = Clock()
    creds.write_oauth()
    settings = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=1.0,
                             source="oauth")
    poller = Poller(ClaudeSource(settings), interval=300, clock=clock, monotonic=clock,
                    jitter=lambda: 0.5, max_interval=1800)
    return poller, clock


def test_a_reading_replaces_the_two_windows_and_keeps_the_rest(feed_poller) -> None:
    poller, clock = feed_poller
    poller.poll_once()
    before = poller.snapshot()
    others = {w.id for w in before.usage.windows} - {"five_hour", "seven_day"}
    assert others, "the recorded upstream payload has per-model windows"
    clock.now += 10
    assert poller.take_local(windows_from_statusline(limits(), clock.now), clock.now,
                             "statusline")
    snap = poller.snapshot()
    doc = usage_document(snap, clock.now)
    assert doc["meta"]["source"] == "statusline"
    assert doc["five_hour"]["utilization"] == 37 and doc["seven_day"]["utilization"] == 64
    assert {w.id for w in snap.usage.windows} >= others  # per-model windows still there
    assert snap.plan == before.plan and snap.usage.extra_usage == before.usage.extra_usage


def test_an_older_reading_never_replaces_a_newer_one(feed_poller) -> None:
    poller, clock = feed_poller
    clock.now += 100
    poller.take_local(windows_from_statusline(limits(five=50), clock.now), clock.now,
                      "statusline")
    late = poller.take_local(windows_from_statusline(limits(five=40), clock.now - 5),
                             clock.now - 5, "statusline")
    assert not late
    assert poller.snapshot().usage.window("five_hour").utilization == 50
    # nor is a reading older than the latest upstream read taken
    clock.now += 10
    poller.poll_once()
    assert not poller.take_local(windows_from_statusline(limits(five=60), clock.now - 1),
                                 clock.now - 1, "statusline")


def test_an_upstream_read_returning_after_a_reading_keeps_the_reading(feed_poller,
                                                                     fake_upstream) -> None:
    poller, clock = feed_poller
    fake_upstream.slow(0.0)
    read_started = clock.now
    # the reading arrives while the upstream read is under way
    real_read = poller._source.read

    def read_with_a_reading_meanwhile():
        result = real_read()
        poller.take_local(windows_from_statusline(limits(five=77), read_started + 1),
                          read_started + 1, "statusline")
        return result

    poller._source.read = read_with_a_reading_meanwhile  # type: ignore[method-assign]
    poller.poll_once()
    snap = poller.snapshot()
    assert snap.usage.window("five_hour").utilization == 77
    assert snap.source == "statusline"


def test_while_readings_flow_upstream_is_read_at_most_every_max_interval(feed_poller) -> None:
    poller, clock = feed_poller
    poller.poll_once()
    reads = 1
    start = clock.now
    while clock.now < start + 3600:
        clock.now += 20
        poller.take_local(windows_from_statusline(limits(five=(clock.now - start) / 100),
                                                  clock.now), clock.now, "statusline")
        if poller._due():
            poller.poll_once()
            reads += 1
    assert reads <= 3  # the first read, then one per 1800 s
    # once the feed stops, the normal schedule comes back
    clock.now += FEED_FRESH_S + 1
    assert not poller.feed_flowing()


def test_the_next_read_shown_follows_the_feed(feed_poller) -> None:
    poller, clock = feed_poller
    poller.poll_once()
    first = clock.now
    clock.now += 20
    poller.take_local(windows_from_statusline(limits(), clock.now), clock.now, "statusline")
    poller._due()
    assert poller.snapshot().next_poll_at == first + 1800


def test_fresh_readings_are_live_while_upstream_fails_and_stale_once_they_stop(
        feed_poller, fake_upstream) -> None:
    poller, clock = feed_poller
    poller.poll_once()
    fake_upstream.fail_with("server_500")
    clock.now += 300
    poller.poll_once()
    assert poller.snapshot().state == "stale"  # no feed: the numbers are the last read's
    clock.now += 10
    poller.take_local(windows_from_statusline(limits(five=41), clock.now), clock.now,
                      "statusline")
    doc = usage_document(poller.snapshot(), clock.now)
    # The 5-hour and weekly numbers are seconds old: no "Not updating" banner on the device,
    # and the failing read is still there to see.
    assert doc["meta"]["state"] == "live" and doc["meta"]["stale"] is False
    assert doc["meta"]["last_error"] and doc["meta"]["source"] == "statusline"
    clock.now += FEED_FRESH_S + 1  # Claude Code went quiet; upstream still fails
    assert usage_document(poller.snapshot(), clock.now)["meta"]["state"] == "stale"
