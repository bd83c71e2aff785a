"""The clock and the countdowns come from the PC's time, never from the device's."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from tests.page import payloads
from tests.page.conftest import open_dashboard
from tests.support.live_server import LiveServer

from claude_carthing.serving.payload import utc_offset_minutes

pytestmark = pytest.mark.browser

SHIFT_S = 5 * 3600 + 17 * 60  # the PC's clock is 5 h 17 min ahead of the browser's


def pc_hhmm(epoch_s: float) -> str:
    offset = timedelta(minutes=utc_offset_minutes(epoch_s))
    return (datetime.fromtimestamp(epoch_s, tz=timezone.utc) + offset).strftime("%H:%M")


def near(expected_epoch_s: float) -> set[str]:
    """The HH:MM texts acceptable around an instant (a minute may tick during the test)."""
    return {pc_hhmm(expected_epoch_s + d) for d in (-60, 0, 60)}


def test_clock_follows_the_server_not_the_device(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage())
    with LiveServer(upstream=fake_upstream, clock_offset_s=SHIFT_S) as server:
        # The device believes it is New Year 2020, like a Car Thing that never got the time.
        page.clock.install(time=datetime(2020, 1, 1, 3, 0, tzinfo=timezone.utc))
        open_dashboard(page, server.url, "poll=86400")
        assert page.inner_text("#clock") in near(time.time() + SHIFT_S)
        assert page.inner_text("#clock") not in near(time.time())
        # It ticks on its own between reads: 2 hours later on the device's monotonic clock.
        page.clock.fast_forward(2 * 3600 * 1000)
        page.clock.run_for(1000)
        assert page.inner_text("#clock") in near(time.time() + SHIFT_S + 2 * 3600)
        # The next read brings the PC's real time back: the display follows the PC again.
        shown = page.evaluate("CC.app.poll().then(() => document.getElementById('clock').textContent)")
        assert shown in near(time.time() + SHIFT_S)


def test_clock_updates_only_its_own_text(page, fake_upstream) -> None:
    fake_upstream.set_usage(payloads.usage())
    with LiveServer(upstream=fake_upstream) as server:
        page.clock.install(time=datetime(2020, 1, 1, tzinfo=timezone.utc))
        open_dashboard(page, server.url, "poll=600&seconds=1")
        # The history arrives just after the usage and redraws the cards once: wait for it.
        page.wait_for_function("Object.keys(CC.app.state.history).length > 0")
        page.wait_for_timeout(100)
        page.evaluate("""() => {
            window.mutated = [];
            new MutationObserver(ms => ms.forEach(m => window.mutated.push(
                (m.target.id || (m.target.parentNode && m.target.parentNode.id) || m.target.nodeName))))
              .observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
        }""")
        first = page.inner_text("#clock")
        page.clock.run_for(3000)
        assert page.inner_text("#clock") != first, "seconds tick"
        touched = set(page.evaluate("window.mutated"))
        # Only the clock changed (unless a minute boundary re-rendered the cards meanwhile).
        assert touched == {"clock"} or first[:5] != page.inner_text("#clock")[:5]


def test_countdown_edges_from_the_real_server(page, fake_upstream) -> None:
    now = time.time()
    body = payloads.usage(now=now)
    body["five_hour"] = payloads.window(20, 42 * 60 + 40, now)          # < 1 h
    body["seven_day"] = payloads.window(30, 3 * 86400 + 4 * 3600 + 1800, now)  # > 24 h
    body["seven_day_sonnet"] = payloads.window(10, None, now)           # no reset time
    body["seven_day_opus"] = payloads.window(40, -600, now)             # already past
    body["seven_day_cowork"] = payloads.window(50, 2 * 3600 + 14 * 60 + 40, now)
    fake_upstream.set_usage(body)
    with LiveServer(upstream=fake_upstream) as server:
        open_dashboard(page, server.url)

        def reset(window_id: str) -> Any:
            return page.inner_text(f"#main .card[data-window='{window_id}'] .reset")

        assert reset("five_hour").endswith("· in 42m")
        assert reset("seven_day").endswith("· in 3d 4h")
        assert reset("seven_day_sonnet") == "no reset scheduled"
        assert reset("seven_day_opus") == "reset due, waiting for the next reading"
        assert reset("seven_day_cowork").endswith("· in 2h 14m")
        reset_at = now + 42 * 60 + 40
        assert reset("five_hour").startswith("resets " + pc_hhmm(reset_at))


@pytest.mark.parametrize(("delta_ms", "text"), [
    (-1, "soon"), (0, "soon"), (59_999, "<1m"), (60_000, "1m"), (3_599_999, "59m"),
    (3_600_000, "1h 0m"), (8_040_000, "2h 14m"), (86_399_999, "23h 59m"), (86_400_000, "1d 0h"),
    (3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, "3d 4h"), (None, None),
])
def test_countdown_formatting(page, delta_ms, text) -> None:
    page.goto("about:blank")
    page.add_script_tag(path=str(_page_dir() / "i18n.js"))  # the words and formats format.js uses
    page.add_script_tag(path=str(_page_dir() / "format.js"))
    got = page.evaluate("(d) => CC.fmt.countdown(d === null ? null : 1e12 + d, 1e12)", delta_ms)
    assert got == text


def test_reset_time_is_in_the_pcs_zone_not_the_devices(page) -> None:
    page.goto("about:blank")
    page.add_script_tag(path=str(_page_dir() / "i18n.js"))  # the words and formats format.js uses
    page.add_script_tag(path=str(_page_dir() / "format.js"))
    at = datetime(2026, 7, 19, 13, 40, tzinfo=timezone.utc).timestamp() * 1000
    assert page.evaluate("(t) => CC.fmt.hhmm(t, 120)", at) == "15:40"
    assert page.evaluate("(t) => CC.fmt.hhmm(t, -300)", at) == "08:40"
    assert page.evaluate("(t) => CC.fmt.when(t, t + 86400000, 0)", at) == "Sun 13:40"


def _page_dir() -> Any:
    from tests.page.files import PAGE_DIR

    return PAGE_DIR
