"""Issue 13: the page read at a glance, in every state, both themes, every view, every size.

Sizes and contrast come from the real computed styles (tests/page/audit.js): percentages at least
64 px and other text 16 px with up to four cards (48 / 14 px with five or six), 4.5:1 contrast
(3:1 from 24 px), nothing cut off or outside the 800x480 screen.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests.page import scenes
from tests.page.stage import audit, show
from tests.support.browser import new_page

pytestmark = pytest.mark.browser

VIEWS = ("overview", "detail", "list", "status")


def views_of(scene: scenes.Scene) -> tuple[str, ...]:
    return VIEWS if scene.screen == "data" else ("overview", "status")


def limits(p: Any) -> tuple[int, int]:
    """(smallest text, smallest percentage) the issue allows for what is on screen."""
    compact = p.locator("#main .grid.compact").count() > 0
    return (14, 48) if compact else (16, 64)


def go_view(p: Any, view: str) -> None:
    p.keyboard.press({"overview": "1", "detail": "2", "list": "3", "status": "4"}[view])
    p.wait_for_function(f"document.getElementById('main').dataset.view === "
                        f"'{'panel' if view == 'overview' and p.get_attribute('#main', 'data-screen') != 'data' else view}'")


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("name", scenes.NAMES)
def test_every_state_and_view_is_legible_and_whole_at_800x480(page, name, theme) -> None:
    scene = scenes.build(time.time())[name]
    show(page, scene, theme=theme)
    for view in views_of(scene):
        if view != "overview" or scene.screen == "data":
            go_view(page, view)
        text, pct = limits(page)
        found = audit(page, text, pct)
        assert found["problems"] == [], f"{name} {theme} {view}"
        if view == "overview" and scene.screen == "data":
            assert any(t["pct"] for t in found["texts"]), "the audit saw the percentages"


@pytest.mark.parametrize("name", ["live", "live-six", "demo"])
def test_audit_catches_small_low_contrast_and_clipped_text(page, name) -> None:
    # The checker itself: each broken rule must show up as a problem.
    show(page, scenes.build(time.time())[name])
    page.add_style_tag(content="""
        .card .reset { font-size: 12px !important; }
        #foot { color: #333 !important; }
        .card .label { width: 30px; }
        .pct { font-size: 40px !important; }""")
    problems = " | ".join(audit(page, *limits(page))["problems"])
    assert "text 12px" in problems
    assert "contrast" in problems
    assert "clipped by" in problems or "cut off" in problems
    assert "percentage 40px" in problems


KEYS = ["1", "2", "3", "4", "Escape", "Enter", "ArrowRight", "ArrowLeft", "m"]


def observable(p: Any) -> tuple[str, str, str, str]:
    return (str(p.get_attribute("#main", "data-view")), str(p.inner_text("#toast")),
            str(p.evaluate("document.body.className")), str(p.inner_text("#main"))[:80])


@pytest.mark.parametrize("name", scenes.NAMES)
def test_every_key_does_something_on_every_screen(page, name) -> None:
    scene = scenes.build(time.time())[name]
    show(page, scene)
    for key in KEYS:
        if key in ("1", "Escape", "ArrowLeft"):
            page.keyboard.press("4")  # from somewhere else, so going back is visible
            page.wait_for_timeout(30)
        page.evaluate("CC.dom.setText(document.getElementById('toast'), '')")
        before = observable(page)
        page.keyboard.press(key)
        page.wait_for_timeout(60)
        assert observable(page) != before, f"{key} did nothing on {name}"
    page.keyboard.press("4")
    assert page.get_attribute("#main", "data-view") == "status", f"4 shows the status on {name}"
    assert "Controls" in page.inner_text("#main")


def rects(p: Any) -> Any:
    return p.evaluate("""() => ['top', 'foot', 'clock', 'theme', 'main'].map(id => {
        const r = document.getElementById(id).getBoundingClientRect();
        return [id, r.left, r.top, r.width, r.height]; })
      .concat([['scroll', window.scrollX, window.scrollY, document.getElementById('main').scrollTop, 0]])""")


@pytest.mark.parametrize("name", ["live", "live-six", "demo", "not-configured"])
def test_turning_the_dial_never_moves_the_layout(page, name) -> None:
    show(page, scenes.build(time.time())[name])
    page.mouse.move(400, 240)
    first = rects(page)
    seen = set()
    for _ in range(8):
        page.mouse.wheel(100, 0)
        page.wait_for_timeout(140)
        seen.add(page.get_attribute("#main", "data-view"))
        assert rects(page) == first
    assert len(seen) >= 2, "the dial turned views"


def test_hints_fit_the_device_or_the_keyboard(page) -> None:
    show(page, scenes.build(time.time())["live"], query="device=1")
    assert "Dial" in page.inner_text("#hint")
    page.keyboard.press("4")
    assert "press dial: refresh" in page.inner_text("#main")


def test_keyboard_hints_in_a_desktop_browser(page) -> None:
    show(page, scenes.build(time.time())["live"])
    assert "Enter refresh" in page.inner_text("#hint")
    page.keyboard.press("4")
    assert "Enter refresh" in page.inner_text("#main")


def test_source_and_next_read_in_words_and_age_alone_is_not_stale(page) -> None:
    # 40 minutes old, but the server polls every 30 min while idle and says not stale.
    show(page, scenes.build(time.time())["idle"])
    foot = page.inner_text("#updated")
    assert foot.startswith("Updated 40 min ago · Claude Code token · idle: next read in 2"), foot
    assert page.get_attribute("body", "data-mode") == "live"
    assert page.is_hidden("#banner")


def test_an_overdue_read_is_noted_but_not_called_stale(page) -> None:
    scene = scenes.build(time.time())["idle"]
    assert scene.doc is not None
    scene.doc["meta"].update(poll_mode="normal", poll_interval_s=300)  # 40 min at a 5 min pace
    show(page, scene)
    assert page.inner_text("#updated").startswith("Updated 40 min ago, later than expected · ")
    assert page.get_attribute("body", "data-mode") == "live"
    assert page.is_hidden("#banner")


@pytest.mark.parametrize(("name", "words"), [("live-six", "Claude Code"), ("stale", "claude.ai session"),
                                             ("live", "Claude Code token")])
def test_the_source_is_named(page, name, words) -> None:
    show(page, scenes.build(time.time())[name])
    assert page.inner_text("#updated").split(" · ")[1] == words


def _with_night(scene: scenes.Scene, spec: str) -> scenes.Scene:
    assert scene.doc is not None
    scene.doc["meta"]["night"] = spec
    return scene


def test_night_schedule_dims_the_page(page) -> None:
    now = time.time()
    scene = scenes.build(now)["live"]
    off = scene.doc["meta"]["utc_offset_minutes"] if scene.doc else 0
    minute = int(((now / 60) + off) % 1440)
    start = (minute - 60) % 1440
    end = (minute + 60) % 1440
    spec = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    show(page, _with_night(scene, spec))
    assert page.evaluate("document.body.classList.contains('night')")
    assert page.evaluate("getComputedStyle(document.getElementById('dim')).opacity") == "0.6"


def test_outside_the_night_schedule_nothing_dims(page) -> None:
    now = time.time()
    scene = scenes.build(now)["live"]
    off = scene.doc["meta"]["utc_offset_minutes"] if scene.doc else 0
    minute = int(((now / 60) + off) % 1440)
    start, end = (minute + 60) % 1440, (minute + 120) % 1440
    show(page, _with_night(scene, f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"))
    assert not page.evaluate("document.body.classList.contains('night')")
    assert page.is_hidden("#dim")


def _set_util(scene: scenes.Scene, window_id: str, util: float, at_s: float) -> None:
    assert scene.doc is not None
    for w in scene.doc["windows"]:
        if w["id"] == window_id:
            w["utilization"] = util
    scene.doc["meta"]["last_success_at_ms"] = int(at_s * 1000)


@pytest.mark.parametrize(("start", "then", "says"), [
    (70, 85, "5-hour passed 80 %"), (90, 96, "5-hour passed 95 %"), (85, 4, "5-hour reset: 4 % now")])
def test_a_crossing_shows_a_brief_notice(page, start, then, says) -> None:
    now = time.time()
    scene = scenes.build(now)["live"]
    _set_util(scene, "five_hour", start, now - 100)
    show(page, scene)
    assert page.is_hidden("#notice"), "no notice on the first reading"
    _set_util(scene, "five_hour", then, now - 10)
    page.evaluate("CC.app.poll()")
    page.wait_for_selector("#notice", state="visible")
    assert page.inner_text("#notice") == says
    assert audit(page, 16, 64)["problems"] == [], "the notice itself is legible and whole"
    anim = page.evaluate("getComputedStyle(document.getElementById('notice')).animationIterationCount")
    assert anim == "1"
    page.wait_for_selector("#notice", state="hidden", timeout=9000)  # seconds, then back to normal


def test_severity_going_up_shows_a_notice(page) -> None:
    now = time.time()
    scene = scenes.build(now)["live"]
    show(page, scene)
    assert scene.doc is not None
    scene.doc["windows"][1]["severity"] = "warning"
    scene.doc["meta"]["last_success_at_ms"] += 1000
    page.evaluate("CC.app.poll()")
    page.wait_for_selector("#notice", state="visible")
    assert page.inner_text("#notice") == "Claude rates Weekly warning"


def test_weekly_detail_asks_for_a_week_of_history(page) -> None:
    show(page, scenes.build(time.time())["live"])
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/history" in r.url else None)
    page.keyboard.press("2")  # the 5-hour window: a day is enough
    page.keyboard.press("2")  # weekly
    page.wait_for_function("document.querySelector('#main .detail').dataset.window === 'seven_day'")
    page.wait_for_timeout(200)
    assert any("hours=168" in u for u in asked), asked
    start = page.inner_text("#main .xaxis .start")
    assert start[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "the axis spans days"
    assert page.inner_text("#main .xaxis .end").startswith("reset ")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
@pytest.mark.parametrize("name", ["live", "live-six", "demo"])
def test_desktop_uses_the_space(browser, name, width, height) -> None:
    p = new_page(browser, width, height)
    try:
        show(p, scenes.build(time.time())[name])
        found = audit(p, 20, 80)
        assert found["problems"] == []
        grid = p.evaluate("document.querySelector('#main .overview').getBoundingClientRect().height")
        assert grid > 0.75 * height, "the cards fill the screen"
        for view in ("detail", "list", "status"):
            go_view(p, view)
            assert audit(p, 20, 80)["problems"] == [], view
    finally:
        p.context.close()


@pytest.mark.parametrize("name", ["live", "live-six", "demo", "not-configured", "stale"])
def test_phone_portrait_stacks_the_cards(browser, name) -> None:
    p = new_page(browser, 390, 844)
    try:
        scene = scenes.build(time.time())[name]
        show(p, scene)
        assert p.evaluate("document.documentElement.scrollWidth") <= 390, "nothing sideways"
        assert audit(p, 14, 48)["problems"] == []
        if scene.screen == "data":
            boxes = p.evaluate("""() => Array.prototype.map.call(document.querySelectorAll('#main .card'),
                c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width]; })""")
            assert len({round(b[0]) for b in boxes}) == 1, "one column"
            assert all(b[2] > 330 for b in boxes)
            assert [b[1] for b in boxes] == sorted(b[1] for b in boxes)
            assert audit(p, 16, 64)["problems"] == [], "a phone has room for the big sizes"
    finally:
        p.context.close()


def test_a_day_of_polling_keeps_the_dom_and_the_cache_flat(page) -> None:
    # Issue 13.8: no growth over a day. A simulated day of reads every 10 minutes, with moving
    # numbers, alerts and view changes, on the page's own (fake) clock.
    now = time.time()
    scene = scenes.build(now)["live"]
    page.clock.install(time=now * 1000)
    show(page, scene)
    reads: list[str] = []
    page.on("request", lambda r: reads.append(r.url) if "/usage" in r.url else None)
    count = "document.getElementsByTagName('*').length"
    sizes = []
    for step in range(144):
        _set_util(scene, "five_hour", 20 + (step * 7) % 80, now + step * 600)
        assert scene.doc is not None
        scene.doc["meta"]["server_time_ms"] = int((now + (step + 1) * 600) * 1000)
        page.clock.run_for(600_000)
        page.wait_for_timeout(20)
        if step % 36 == 35:
            page.keyboard.press("2")
            page.keyboard.press("1")
            page.wait_for_timeout(50)
            sizes.append((page.evaluate(count),
                          page.evaluate("(localStorage.getItem('claude-carthing.last') || '').length")))
    assert len(reads) >= 140, "the page kept reading all day"
    assert len({s[0] for s in sizes}) == 1, f"DOM size changed over the day: {sizes}"
    assert max(s[1] for s in sizes) <= sizes[0][1] * 1.1, f"the cache grew: {sizes}"
