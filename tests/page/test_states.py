"""Every state of the dashboard, in Chromium at 800x480, against the real server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from tests.page import payloads
from tests.page.conftest import main_text, open_dashboard
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer, free_port

from claude_carthing.poller import Snapshot
from claude_carthing.serving.payload import usage_document

pytestmark = pytest.mark.browser


def screen(p: Any) -> str:
    return str(p.get_attribute("#main", "data-screen"))


def card(p: Any, window_id: str) -> Any:
    return p.locator(f"#main .card[data-window='{window_id}']")


def test_live_shows_one_card_per_window_with_colours(page, fake_upstream, shot) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=23, seven_day=64, sonnet=86))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        assert screen(page) == "data"
        assert page.inner_text("#badge") == "Live"
        assert page.is_hidden("#banner")
        assert card(page, "five_hour").locator(".pct").inner_text().startswith("23")
        assert "ok" in card(page, "five_hour").get_attribute("class")
        assert "warn" in card(page, "seven_day").get_attribute("class")
        sonnet = card(page, "seven_day_sonnet")
        assert "crit" in sonnet.get_attribute("class")
        assert "alert" in sonnet.get_attribute("class"), "a card at >= 80 % has the red frame"
        assert "alert" not in card(page, "seven_day").get_attribute("class")
        # Nothing animates forever (issue 13.6 and 13.8): no infinite animation on any element.
        endless = page.evaluate("""() => Array.prototype.some.call(document.querySelectorAll('*'), e =>
            [getComputedStyle(e), getComputedStyle(e, '::after'), getComputedStyle(e, '::before')]
              .some(s => s.animationIterationCount === 'infinite' && s.animationName !== 'none'))""")
        assert endless is False
        # The reset time, then its countdown (a line of its own where a language needs it).
        reset_line = card(page, "five_hour").locator("div.reset").inner_text()
        assert re.fullmatch(r"resets \d\d:\d\d\s+· in 2h 14m", reset_line), reset_line
        text = main_text(page)
        assert "extra usage" in text.lower()
        assert "US$12.50" in text and "of US$50.00 this month" in text
        assert "Updated just now" in text
        shot(page, "live-dark-warning")
        page.click("#theme")
        shot(page, "live-light-warning")


def test_live_without_warning_screenshot(page, fake_upstream, shot) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=12, seven_day=34, sonnet=None, extra_used_minor=None))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        assert page.locator(".card.alert").count() == 0
        assert page.locator("#main .card").count() == 2
        shot(page, "live-dark-normal")
        page.keyboard.press("m")
        shot(page, "live-light-normal")


def _limits(*entries: tuple[str, str, float, str]) -> dict[str, Any]:
    """An upstream body with `limits[]` only: (kind, model, percent, severity)."""
    out = []
    for kind, model, pct, severity in entries:
        item: dict[str, Any] = {"kind": kind, "group": "session" if kind == "session" else "weekly",
                                "percent": pct, "severity": severity, "resets_at": None}
        if model:
            item["scope"] = {"model": {"display_name": model}}
        out.append(item)
    return {"five_hour": None, "seven_day": None, "limits": out}


def _colour(p: Any, window_id: str) -> tuple[str, str]:
    """The level class and the drawn colour of a window's percentage."""
    pct = card(p, window_id).locator(".pct")
    return (str(card(p, window_id).get_attribute("class")).split()[1],
            str(pct.evaluate("e => getComputedStyle(e).color")))


def _theme_colour(p: Any, name: str) -> str:
    return str(p.evaluate(f"""() => {{ const d = document.createElement('div');
        d.style.color = 'var(--{name})'; document.body.appendChild(d);
        const c = getComputedStyle(d).color; d.remove(); return c; }}"""))


def test_colour_thresholds_are_exact(page, fake_upstream) -> None:
    # 49.9 green, 50 yellow (not from 60), 79.9 yellow, 80 red (not yellow): the server's one rule.
    fake_upstream.set_usage(_limits(("session", "", 49.9, "normal"), ("weekly_all", "", 50, "normal"),
                                    ("weekly_scoped", "Opus", 79.9, "normal"),
                                    ("weekly_scoped", "Sonnet", 80, "normal")))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        used = {w["id"]: w["utilization"] for w in _get(server.url + "/usage")["windows"]}
        assert sorted(used.values()) == [49.9, 50, 79.9, 80]
        colours = {"ok": _theme_colour(page, "green"), "warn": _theme_colour(page, "yellow"),
                   "crit": _theme_colour(page, "red")}
        expected = {49.9: "ok", 50: "warn", 79.9: "warn", 80: "crit"}
        for wid, util in used.items():
            assert _colour(page, wid) == (expected[util], colours[expected[util]]), util


@pytest.mark.parametrize(("severity", "expected"), [("critical", "crit"), ("warning", "warn")])
def test_upstream_severity_decides_when_stronger(page, fake_upstream, severity, expected) -> None:
    # 30 % alone is green: only Claude's own severity can make it yellow or red.
    fake_upstream.set_usage(_limits(("session", "", 30, severity), ("weekly_all", "", 30, "normal")))
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        ids = [w["id"] for w in _get(server.url + "/usage")["windows"]]
        assert _colour(page, ids[0])[0] == expected
        assert _colour(page, ids[1])[0] == "ok"


@pytest.mark.parametrize(("util", "severity", "expected"), [
    (49.9, None, "ok"), (50, None, "warn"), (79.9, None, "warn"), (80, None, "crit"),
    (30, "critical", "crit"), (30, "warning", "warn"),
])
def test_original_servers_shape_gets_the_same_colours(page, fake_upstream, util, severity,
                                                       expected) -> None:
    # The original project's server sends no `level`: the page applies the same rule itself.
    body = {"five_hour": {"utilization": util, "resets_at": None, "severity": severity},
            "seven_day": None}
    with LiveServer(upstream=fake_upstream) as server:
        page.route("**/usage", lambda route: route.fulfill(
            status=200, body=json.dumps(body), content_type="application/json"))
        open_dashboard(page, server.url)
        assert _colour(page, "five_hour")[0] == expected


def test_not_configured_says_how_to_log_in(page, shot) -> None:
    with LiveServer(upstream=None, source=None) as server:
        open_dashboard(page, server.url)
        assert screen(page) == "not_configured"
        text = main_text(page)
        assert "Not connected to Claude yet" in text
        assert "claude-carthing login" in page.inner_text("#main code")
        shot(page, "not-configured")


def test_demo_is_labelled(page, shot) -> None:
    with LiveServer(upstream=None, source=None, demo=True) as server:
        open_dashboard(page, server.url)
        assert screen(page) == "data"
        assert page.get_attribute("body", "data-mode") == "demo"
        assert "Demo: sample numbers, not your account" in page.inner_text("#banner")
        # Said once: no badge, no "Demo" plan beside it.
        assert page.inner_text("#badge") == "" and page.inner_text("#plan") == ""
        assert main_text(page).lower().count("demo") == 1
        assert page.locator("#main .card[data-window]").count() >= 3
        # The synthetic past: lines in the cards from the first second, and pace in words.
        page.wait_for_selector("#main .card .chart.spark", state="attached")
        assert page.locator("#main .pace-text").count() >= 3
        shot(page, "demo")


@pytest.mark.parametrize(("kind", "source", "reason"), [
    ("cloudflare", "web", "Cloudflare is checking the PC; retrying"),
    ("expired", "web", "Claude session expired: run claude-carthing login"),
    ("server_500", "oauth", "Claude's servers are failing; retrying"),
    # Not a claude.ai session: the fix is Claude Code's, in the PC's own words.
    ("oauth_401", "oauth", "open Claude Code to refresh it"),
])
def test_stale_says_why_and_keeps_numbers(page, fake_upstream, shot, kind, source, reason) -> None:
    fake_upstream.set_usage(payloads.usage(five_hour=23))
    with LiveServer(upstream=fake_upstream, source=source) as server:
        open_dashboard(page, server.url)
        assert page.get_attribute("body", "data-mode") == "live"
        fake_upstream.fail_with(kind)
        server.poller.poll_once()
        page.wait_for_function("document.body.dataset.mode === 'stale'", timeout=10000)
        banner = page.inner_text("#banner")
        assert banner.startswith("Not updating: ")
        assert reason in banner
        assert "numbers from " in banner
        assert page.inner_text("#badge") == "", "the mode is said once"
        assert card(page, "five_hour").locator(".pct").inner_text().startswith("23")
        if kind == "cloudflare":
            shot(page, "stale-cloudflare")


def test_no_data_at_all_is_an_error_screen(page, fake_upstream, shot) -> None:
    fake_upstream.fail_with("server_500")
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        assert screen(page) == "error"
        text = main_text(page)
        assert "No usage data" in text
        assert "Claude's servers are failing" in text
        assert text.count("Claude's servers are failing") == 1, "said once"
        shot(page, "error-no-data")


def test_waiting_for_first_read(page, fake_upstream) -> None:
    # A server that has credentials but no answer yet cannot be held in that state on purpose,
    # so the server's own document for it is served through the page's network layer.
    doc = usage_document(Snapshot(source="oauth"))
    assert doc["meta"]["state"] == "waiting"
    with LiveServer(upstream=fake_upstream) as server:
        page.route("**/usage", lambda route: route.fulfill(status=200, body=json.dumps(doc),
                                                            content_type="application/json"))
        open_dashboard(page, server.url)
        assert screen(page) == "waiting"
        assert "Waiting for the first reading" in main_text(page)


def test_loading_then_data(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage())
    with LiveServer(upstream=fake_upstream) as server:
        held: list[Any] = []

        def hold(route: Any) -> None:
            held.append(route)

        page.route("**/usage", hold)
        page.goto(server.url + "/?poll=2")
        page.wait_for_function("window.CC && CC.app")
        assert screen(page) == "loading"
        assert "Connecting" in main_text(page)
        assert held, "the page asked for /usage"
        page.unroute("**/usage")  # lets the held request through
        page.wait_for_function("document.getElementById('main').dataset.screen === 'data'")


def test_unreachable_without_any_data(page) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with LiveServer(upstream=None, source=None) as server:
        # Served by our server, told to read from a port where nothing listens.
        page.goto(f"{server.url}/?poll=2&server={dead}")
        page.wait_for_function("document.getElementById('main').dataset.screen === 'unreachable'")
        text = main_text(page)
        assert "Can't reach the PC server" in text
        assert dead in text
        assert "claude-carthing serve" in text


def test_window_label_with_markup_shows_as_text(page, fake_upstream) -> None:
    evil = '<img src=x onerror="window.pwned=1"><b>Fable</b>'
    body = payloads.usage()
    body["limits"] = [{"kind": "weekly_scoped", "group": "weekly", "percent": 55, "severity": "normal",
                       "resets_at": None, "scope": {"model": {"display_name": evil}}}]
    fake_upstream.set_usage(body)
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)
        served = [w["label"] for w in _get(server.url + "/usage")["windows"]]
        label = next(x for x in served if "<img" in x)
        assert label in page.locator("#main .label").all_text_contents()
        assert page.locator("#main img, #main b").count() == 0
        page.wait_for_timeout(300)
        assert page.evaluate("window.pwned") is None


def _get(url: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_fake_upstream_fixture_is_used(fake_upstream: FakeUpstream) -> None:
    # Guards the assumption every test above makes: the server's reads really go to the
    # loopback fake, and what the page is given is what the fake answered.
    assert fake_upstream.url.startswith("http://127.0.0.1:")
    fake_upstream.set_usage(payloads.usage(five_hour=37))
    with LiveServer(upstream=fake_upstream) as server:
        served = _get(server.url + "/usage")
    assert [r.path for r in fake_upstream.usage_requests()], "the server never asked the fake"
    assert served["five_hour"]["utilization"] == 37.0
    assert served["meta"]["state"] == "live"
