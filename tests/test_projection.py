"""The one projection and colour rule that the page, `status` and `status --watch` all show."""

from __future__ import annotations

import io
import itertools
from datetime import datetime, timezone

import pytest
from rich.console import Console

from claude_carthing import projection, terminal, watch
from claude_carthing.demo import demo_usage, seed_history
from claude_carthing.history import History
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Snapshot
from claude_carthing.serving.payload import usage_document

H = 3_600_000
NOW = int(datetime(2026, 7, 19, 12, 0, tzinfo=timezone.utc).timestamp() * 1000)


def session(used: float, reset_in_ms: int | None = 2 * H) -> dict:
    reset = None if reset_in_ms is None else NOW + reset_in_ms
    return {"id": "five_hour", "group": "session", "utilization": used, "resets_at_ms": reset}


def test_fast_pace_says_when_the_limit_is_reached_never_a_number_above_100() -> None:
    # 30 %/h over the last hour, 60 % now: 100 % at 13:20, before the reset at 14:00.
    pts = [(NOW - H, 30.0), (NOW - H // 2, 45.0), (NOW, 60.0)]
    got = projection.project(session(60), pts, NOW)
    assert got == {"state": "hits", "at_ms": NOW + H * 4 // 3, "end_percent": 100.0,
                   "text": "100 % at 13:20, before the reset"}


def test_slow_or_flat_pace_lasts_until_the_reset() -> None:
    slow = projection.project(session(60), [(NOW - H, 50.0), (NOW - H // 2, 55.0), (NOW, 60.0)], NOW)
    assert slow["text"] == "lasts until the reset at 14:00" and slow["state"] == "lasts"
    assert slow["end_percent"] == 80.0  # 10 %/h for two more hours
    flat = projection.project(session(60), [(NOW - H, 60.0), (NOW - H // 2, 60.0), (NOW, 60.0)], NOW,
                              offset_min=120)
    assert flat["text"] == "lasts until the reset at 16:00"  # in the PC's zone


@pytest.mark.parametrize("pts", [
    [],
    [(NOW - H, 30.0), (NOW, 60.0)],                       # two readings only
    [(NOW - 10 * 60_000, 50.0), (NOW - 5 * 60_000, 55.0), (NOW, 60.0)],  # over 10 minutes only
    [(NOW - H, 90.0), (NOW - H // 2, 95.0), (NOW - 20 * 60_000, 5.0), (NOW, 60.0)],  # a reset between
])
def test_not_enough_history_is_said_as_such(pts) -> None:
    assert projection.project(session(60), pts, NOW)["text"] == projection.NOT_ENOUGH


def test_reached_and_no_reset() -> None:
    assert projection.project(session(100), [], NOW)["text"] == "limit reached until the reset at 14:00"
    assert projection.project(session(40, None), [], NOW)["state"] == "unknown"


@pytest.mark.parametrize(("used", "severity", "expected"), [
    (49.9, None, "ok"), (50.0, None, "warn"), (79.9, None, "warn"), (80.0, None, "crit"),
    (60.0, "critical", "crit"),  # severity decides: the percentage alone says yellow
    (20.0, "warning", "warn"),   # severity decides: the percentage alone says green
    (85.0, "warning", "crit"),   # the stronger of the two
    (85.0, "normal", "crit"),
])
def test_one_level_rule_for_every_display(used, severity, expected) -> None:
    assert projection.level(used, severity) == expected
    assert terminal.colour(used, severity) == {"ok": "green", "warn": "yellow", "crit": "red"}[expected]


def _usage(used: float) -> Usage:
    reset = datetime.fromtimestamp((NOW + 2 * H) / 1000, tz=timezone.utc)
    return Usage(windows=(Window("five_hour", "5-hour", "session", used, reset, "normal"),))


def test_usage_document_carries_level_and_projection_per_window() -> None:
    snap = Snapshot(usage=_usage(60), source="oauth", last_success_at=NOW / 1000)
    series = {"five_hour": [(NOW - H, 30.0), (NOW - H // 2, 45.0), (NOW, 60.0)]}
    doc = usage_document(snap, NOW / 1000, series=series, night="22:00-07:00")
    w = doc["windows"][0]
    assert w["level"] == "warn"
    assert w["projection"]["state"] == "hits"
    assert doc["meta"]["night"] == "22:00-07:00"
    bare = usage_document(snap, NOW / 1000)
    assert bare["windows"][0]["projection"]["text"] == projection.NOT_ENOUGH


def _text(renderable: object) -> str:
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(renderable)
    return out.getvalue()


def test_status_and_watch_show_the_servers_projection_words() -> None:
    snap = Snapshot(usage=_usage(85), source="oauth", last_success_at=NOW / 1000)
    fast = {"five_hour": [(NOW - H, 40.0), (NOW - H // 2, 62.0), (NOW, 85.0)]}
    doc = usage_document(snap, NOW / 1000, series=fast)
    said = doc["windows"][0]["projection"]["text"]
    assert said.startswith("100 % at ") and said.endswith(", before the reset")
    assert said in _text(terminal.render_usage(doc))
    assert said in _text(watch.render(doc, {}, NOW, "test"))
    young = usage_document(snap, NOW / 1000)  # 85 % after 3 h of 5 would once say "142 %"
    for shown in (_text(terminal.render_usage(young)), _text(watch.render(young, {}, NOW, "t"))):
        assert projection.NOT_ENOUGH in shown
        assert "%" not in shown.replace("85.0 %", "").replace("100 %", "")


def test_demo_has_a_plausible_past_labelled_as_demo(tmp_path) -> None:
    history = History(tmp_path / "demo-history.sqlite3")
    now = NOW / 1000
    written = seed_history(history, now)
    assert written > 400
    series = history.series(now - 8 * 86400)
    assert set(series) == {w.id for w in demo_usage(now).windows}
    weekly = series["seven_day"]
    assert weekly[0][0] <= (now - 6.9 * 86400) * 1000, "a week of weekly history"
    day = [p for p in series["five_hour"] if p[0] >= (now - 86400) * 1000]
    assert len(day) >= 280, "a day of 5-hour windows at five-minute steps"
    assert any(b[1] < a[1] - 20 for a, b in itertools.pairwise(day)), "the 5-hour window resets"
    assert seed_history(history, now) == 0, "a second start adds no second past"
    history.close()


@pytest.mark.parametrize("bad", ["25:00-07:00", "22:00", "10pm-7am", "22:00-07:60"])
def test_night_schedule_is_validated(bad) -> None:
    from claude_carthing.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="night"):
        load_settings(night=bad)
    assert load_settings(night="off").night == "off"
    assert load_settings().night == "22:00-07:00"


def test_night_schedule_reaches_the_page_in_usage_meta() -> None:
    import json
    import urllib.request

    from tests.support.live_server import LiveServer

    with LiveServer(source=None, demo=True, settings={"night": "21:30-06:15"}) as server, \
            urllib.request.urlopen(server.url + "/usage", timeout=10) as answer:
        doc = json.loads(answer.read())
    assert doc["meta"]["night"] == "21:30-06:15"
    # The demo's synthetic past is there from the start: its projections say where it heads,
    # except in a window's first minutes (before MIN_SPAN of readings exist since its reset),
    # where "not enough history" is the honest answer whatever the past holds.
    import time

    from claude_carthing.projection import MIN_SPAN_MS, WEEKLY_MIN_SPAN_MS, is_session, period_ms

    now_ms = time.time() * 1000
    for w in doc["windows"]:
        span = MIN_SPAN_MS["session"] if is_session(w["id"], w.get("group")) \
            else WEEKLY_MIN_SPAN_MS
        age = now_ms - (w["resets_at_ms"] - period_ms(w["id"], w.get("group")))
        known = ("hits", "lasts", "reached")
        if age < span:
            expected: tuple[str, ...] = ("unknown",)
        elif age < span + 10 * 60_000:  # a demo reading every 5 minutes: either answer
            expected = ("unknown", *known)
        else:
            expected = known
        assert w["projection"]["state"] in expected, (w["id"], w["projection"], age)
