"""Issue 17.21-24 on the page, measured in a real browser: alert cards line up, sparklines show
with four cards, cards without history use their room, the status view names the plan, the
phone header keeps one row, the same words as `status` for a passed reset and the next read."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from rich.console import Console
from tests.page.scenes import EXTRA, THREE, Scene, _live, build
from tests.page.stage import audit, show
from tests.support.browser import new_page
from tests.support.fake_upstream import fixture

from claude_carthing.models import Plan
from claude_carthing.poller import Snapshot
from claude_carthing.projection import RESET_DUE
from claude_carthing.serving.payload import usage_document
from claude_carthing.terminal import state_line
from claude_carthing.upstream.wire import parse_usage

pytestmark = pytest.mark.browser

DAY = 86400.0
FOUR = [*THREE, ("seven_day_opus", "Weekly · Opus", "weekly", 12.0, 3 * DAY + 4 * 3600, "normal")]
SIZES = [(800, 480), (1280, 800)]

CARDS = """() => Array.prototype.map.call(document.querySelectorAll('#main .card'), function (c) {
  var r = c.getBoundingClientRect();
  var l = c.querySelector('.label').getBoundingClientRect();
  var p = c.querySelector('.pct');
  var s = c.querySelector('.chart.spark');
  var sr = s ? s.getBoundingClientRect() : null;
  var bottom = Math.max.apply(null, Array.prototype.map.call(c.children, function (e) {
    return e.getBoundingClientRect().bottom; }));
  return {id: c.getAttribute('data-window'), alert: c.classList.contains('alert'),
    labelTop: l.top - r.top, labelLeft: l.left - r.left, height: r.height,
    empty: r.bottom - bottom, pct: parseFloat(getComputedStyle(p).fontSize),
    spark: sr && getComputedStyle(s).display !== 'none' ? [sr.width, sr.height] : null};
})"""


def scene(values: list[Any], *, history: bool = True, now: float | None = None,
          extra: Any = EXTRA) -> Scene:
    doc, series = _live(now or time.time(), values, extra, history=history)
    return Scene("test", doc, series)


def cards(p: Any) -> list[dict[str, Any]]:
    return list(p.evaluate(CARDS))


def settled_cards(p: Any, timeout: float = 3.0) -> list[dict[str, Any]]:
    """The cards once two measurements 100 ms apart agree (a loaded machine redraws late)."""
    deadline = time.monotonic() + timeout
    last = cards(p)
    while time.monotonic() < deadline:
        p.wait_for_timeout(100)
        now = cards(p)
        if now == last:
            return now
        last = now
    return last


@pytest.mark.parametrize(("width", "height"), [*SIZES, (1920, 1080)])
@pytest.mark.parametrize("name", ["live", "live-six"])
def test_a_red_framed_card_lines_up_with_its_neighbours(browser, width, height, name) -> None:
    p = new_page(browser, width, height)
    try:
        show(p, build(time.time())[name])
        found = cards(p)
        assert any(c["alert"] for c in found) and not all(c["alert"] for c in found)
        first = found[0]
        for c in found:
            assert c["labelTop"] == pytest.approx(first["labelTop"], abs=0.5), c["id"]
            assert c["labelLeft"] == pytest.approx(first["labelLeft"], abs=0.5), c["id"]
    finally:
        p.context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("name", ["four", "demo"])
def test_sparklines_show_with_four_cards(browser, width, height, name) -> None:
    p = new_page(browser, width, height)
    try:
        show(p, scene(FOUR) if name == "four" else build(time.time())["demo"])
        found = cards(p)
        assert len(found) == 4
        for c in found:
            assert c["spark"] is not None, f"{c['id']} has a week of history but no line"
            assert c["spark"][0] >= 80 and c["spark"][1] >= 24, c
        assert audit(p, 16, 64)["problems"] == []
    finally:
        p.context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("count", [2, 3, 4])
def test_cards_without_history_give_the_room_to_the_numbers(browser, width, height,
                                                            count) -> None:
    values = FOUR[:count]
    p = new_page(browser, width, height)
    try:
        show(p, scene(values, history=True))
        with_history = cards(p)
        show(p, scene(values, history=False))
        bare = settled_cards(p)
        for before, after in zip(with_history, bare, strict=True):
            assert after["spark"] is None
            assert after["pct"] > before["pct"], "the numbers grow into the room"
            assert after["empty"] < 0.3 * after["height"], after
        assert audit(p, 16, 64)["problems"] == []
    finally:
        p.context.close()


def test_status_view_names_the_plan_usage_names(page) -> None:
    for name, plan in (("demo", "Demo"), ("live", "Max")):
        show(page, build(time.time())[name], view="status")
        info = page.inner_text("#main")
        assert f"Plan\n{plan}" in info or f"Plan\t{plan}" in info, info
        assert "unknown" not in info.split("Plan", 1)[1].split("\n")[1]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (360, 740)])
def test_on_a_phone_the_theme_button_stays_beside_the_title(browser, width, height) -> None:
    p = new_page(browser, width, height)
    try:
        show(p, build(time.time())["live"])
        title = p.locator("h1").bounding_box()
        button = p.locator("#theme").bounding_box()
        assert button["y"] < title["y"] + title["height"], (title, button)
        assert button["x"] > title["x"] + title["width"]
        assert button["x"] + button["width"] <= width
        assert p.locator("#theme").inner_text().strip()
    finally:
        p.context.close()


def test_next_read_is_rounded_as_status_rounds_it(page) -> None:
    now = time.time()
    live = scene(THREE, now=now)
    assert live.doc is not None
    live.doc["meta"]["next_poll_at_ms"] = int((now + 5 * 60 + 30) * 1000)
    show(page, live)
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(state_line(live.doc))
    assert "next read in 6 min" in out.getvalue()
    assert "next read in 6 min" in page.inner_text("#updated")


def test_a_passed_reset_reads_as_in_status(page) -> None:
    now = time.time()
    live = scene(THREE, now=now)
    assert live.doc is not None
    window = live.doc["windows"][0]
    window["resets_at_ms"] = int((now - 90) * 1000)
    window["resets_at"] = None
    live.doc["five_hour"]["resets_at"] = None
    window["projection"] = {"state": "due", "at_ms": window["resets_at_ms"], "text": RESET_DUE}
    show(page, live)
    text = page.locator("#main .card[data-window='five_hour']").inner_text()
    assert text.count(RESET_DUE) == 1, text
    assert "soon" not in text and "no reset" not in text and "resets " not in text


def test_a_weekly_only_plan_on_the_page(page) -> None:
    now = time.time()
    snap = Snapshot(usage=parse_usage(fixture("weekly_only")), plan=Plan("Ultra"),
                    source="oauth", last_success_at=now - 60, last_attempt_at=now - 60)
    show(page, Scene("weekly-only", usage_document(snap, now, night="off")))
    labels = [t.strip() for t in page.locator("#main .card .label").all_inner_texts()]
    assert [t.upper() for t in labels] == ["WEEKLY", "WEEKLY · DAILY ROUTINES",
                                           "WEEKLY · DESIGN"]
    assert "5-HOUR" not in page.inner_text("#main").upper()
    assert page.inner_text("#plan") == "Ultra"
    assert audit(page, 16, 64)["problems"] == []
