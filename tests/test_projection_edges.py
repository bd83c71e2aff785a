"""Projection rules a one-line change would break: the recent run sets the pace, a hit on
another day names the day, and a weekly window needs hours of history, not minutes."""

from __future__ import annotations

from datetime import datetime, timezone

from claude_carthing import projection

H = 3_600_000
MIN = 60_000
NOW = int(datetime(2026, 7, 19, 12, 0, tzinfo=timezone.utc).timestamp() * 1000)  # a Sunday


def session(used: float, reset_in_ms: int = 2 * H) -> dict:
    return {"id": "five_hour", "group": "session", "utilization": used,
            "resets_at_ms": NOW + reset_in_ms}


def weekly(used: float, reset_in_ms: int = 5 * 24 * H) -> dict:
    return {"id": "seven_day", "group": "weekly", "utilization": used,
            "resets_at_ms": NOW + reset_in_ms}


def test_the_pace_is_that_of_the_last_hour_not_of_the_whole_session() -> None:
    # Slow for two hours (0 -> 5 %), then fast for the last hour (5 -> 55 %, 50 %/h). Over the
    # whole run (18 %/h) the window would last until the reset at 14:00; at the recent pace it
    # is full at 12:54.
    pts = [(NOW - 3 * H, 0.0), (NOW - 2 * H, 2.5), (NOW - H, 5.0), (NOW - H // 2, 30.0),
           (NOW, 55.0)]
    got = projection.project(session(55), pts, NOW)
    assert got["state"] == "hits"
    assert got["text"] == "100 % at 12:54, before the reset"
    assert got["at_ms"] == NOW + 54 * MIN


def test_a_hit_on_another_day_names_the_weekday() -> None:
    # 1 %/h over the last day, 64 % now: full 36 hours on, on Tuesday at 00:00 UTC.
    pts = [(NOW - 24 * H, 40.0), (NOW - 12 * H, 52.0), (NOW, 64.0)]
    got = projection.project(weekly(64), pts, NOW)
    assert got["state"] == "hits"
    assert got["text"] == "100 % at Tue 00:00, before the reset"
    # In the PC's zone (UTC-2 here) the same moment is still Monday.
    assert projection.project(weekly(64), pts, NOW, offset_min=-120)["text"] == (
        "100 % at Mon 22:00, before the reset")


def test_a_hit_later_today_has_no_weekday() -> None:
    pts = [(NOW - 6 * H, 40.0), (NOW - 3 * H, 52.0), (NOW, 64.0)]  # 4 %/h: full at 21:00
    assert projection.project(weekly(64), pts, NOW)["text"] == "100 % at 21:00, before the reset"


def test_a_weekly_window_needs_hours_of_history_before_it_projects() -> None:
    # Enough for a 5-hour window (over 30 minutes), too little for a week: not a projection.
    short = [(NOW - 3 * H, 40.0), (NOW - H, 46.0), (NOW - 30 * MIN, 48.0), (NOW, 50.0)]
    assert short[-1][0] - short[0][0] < projection.WEEKLY_MIN_SPAN_MS
    assert projection.project(weekly(50), short, NOW)["text"] == projection.NOT_ENOUGH
    assert projection.project(session(50), short, NOW)["text"] != projection.NOT_ENOUGH
    # Four hours of readings are enough.
    enough = [(NOW - 4 * H, 40.0), (NOW - 2 * H, 44.0), (NOW, 48.0)]
    got = projection.project(weekly(48), enough, NOW)
    assert got["text"] == "100 % at Mon 14:00, before the reset"  # 2 %/h for 26 hours
