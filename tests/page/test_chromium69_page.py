"""The page in the Car Thing's own engine (Chromium 69 via DevTools): every state legible and
whole at 800x480 in both themes, every key on every screen, held keys, the dial and its reverse."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.page import scenes
from tests.page.scene_server import SceneServer
from tests.page.stage import AUDIT
from tests.support.chromium69 import Chromium69

pytestmark = pytest.mark.chromium69

KEY_CODES = {"1": "Digit1", "2": "Digit2", "3": "Digit3", "4": "Digit4", "Escape": "Escape",
             "Enter": "Enter", "ArrowRight": "ArrowRight", "ArrowLeft": "ArrowLeft", "m": "KeyM"}


class Car:
    """One Chromium 69 showing the page from a scene server; `open` switches scenes."""

    def __init__(self, binary: Path) -> None:
        self.server = SceneServer()
        self.browser = Chromium69("about:blank", binary=binary).start()
        self.page = self.browser.page
        self.page.call("Runtime.enable")  # so the page's uncaught errors arrive as events

    def errors(self) -> list[str]:
        """Uncaught exceptions the page threw so far (a Chrome 69 gap shows up here)."""
        self.page.evaluate("1")  # collect pending events
        return [str(e["params"]["exceptionDetails"].get("exception", {}).get("description"))
                for e in self.page.events if e["method"] == "Runtime.exceptionThrown"]

    def open(self, name: str, query: str = "", theme: str = "dark") -> scenes.Scene:
        scene = scenes.build(time.time())[name]
        self.server.scene = scene
        self.page.navigate(self.server.url + "/blank")  # same origin, no page script
        self.page.evaluate("localStorage.clear()")  # no theme or cache from the scene before
        if scene.cached:
            self.page.navigate(self.server.url + "/index.html?poll=600&theme=" + theme)
            self.page.wait_for("document.getElementById('main').dataset.screen === 'data'")
            self.page.wait_for("localStorage.getItem('claude-carthing.last') !== null")
            scene.served = False
        self.page.navigate(f"{self.server.url}/index.html?poll=600&theme={theme}&{query}")
        want = "stale" if scene.cached else scene.screen
        test = ("document.body.dataset.mode === 'stale'" if scene.cached else
                f"document.getElementById('main').dataset.screen === '{want}'")
        if scene.screen != "loading":
            self.page.wait_for(test)
        if scene.series and scene.served:
            self.page.wait_for("Object.keys(CC.app.state.history).length > 0")
        time.sleep(0.1)
        return scene

    def view(self) -> str:
        return str(self.page.evaluate("document.getElementById('main').dataset.view"))

    def audit(self) -> dict[str, Any]:
        compact = self.page.evaluate("document.querySelector('#main .grid.compact') !== null")
        return dict(self.page.evaluate(f"({AUDIT})({14 if compact else 16}, {48 if compact else 64})"))

    def close(self) -> None:
        self.browser.close()
        self.server.close()


@pytest.fixture(scope="module")
def car(chromium69_binary: Path) -> Iterator[Car]:
    c = Car(chromium69_binary)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def no_page_errors(car: Car) -> Iterator[None]:
    """Every test here fails when the page threw in Chromium 69."""
    yield
    assert car.errors() == []


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("name", scenes.NAMES)
def test_every_state_and_view_is_legible_and_whole(car, name, theme) -> None:
    scene = car.open(name, theme=theme)
    assert car.page.evaluate("navigator.userAgent").find("Chrome/69.") > 0
    views = ("1", "2", "3", "4") if scene.screen == "data" else ("1", "4")
    for key in views:
        car.page.key(KEY_CODES[key])
        time.sleep(0.05)
        found = car.audit()
        assert found["problems"] == [], f"{name} {theme} key {key}"
        assert found["texts"], "the audit saw text"


@pytest.mark.parametrize("name", scenes.NAMES)
def test_every_key_does_something_on_every_screen(car, name) -> None:
    car.open(name)
    state = ("[document.getElementById('main').dataset.view, document.getElementById('toast')"
             ".textContent, document.body.className, document.getElementById('main').textContent"
             ".slice(0, 80)]")
    for key, code in KEY_CODES.items():
        if key in ("1", "Escape", "ArrowLeft"):
            car.page.key("Digit4")
        car.page.evaluate("document.getElementById('toast').textContent = ''")
        before = car.page.evaluate(state)
        car.page.key(code)
        time.sleep(0.08)
        assert car.page.evaluate(state) != before, f"{key} did nothing on {name}"


def test_held_keys_act_once(car) -> None:
    car.open("live")
    car.page.key("Digit2", up=False)
    car.page.key("Digit2", repeat=True, up=False)  # the kiosk's auto-repeat
    car.page.key("Digit2", up=False)  # a second keydown before the keyup
    car.page.key_up("Digit2")
    assert car.page.evaluate("document.querySelector('#main .detail').dataset.window") == "five_hour"
    car.page.key("Digit2")
    assert car.page.evaluate("document.querySelector('#main .detail').dataset.window") == "seven_day"


def _turn(car: Car, dx: float) -> None:
    car.page.wheel(delta_x=dx)
    time.sleep(0.2)


def test_the_dial_turns_views_and_reverse_dial_flips_it(car) -> None:
    car.open("live")
    _turn(car, 120)
    forward = car.view()
    car.open("live", "dial=reverse")
    _turn(car, 120)
    backward = car.view()
    assert {forward, backward} == {"detail", "status"}, "one way forward, the other back"


def test_turning_the_dial_never_moves_the_layout(car) -> None:
    car.open("live")
    rects = ("['top','foot','clock','theme','main'].map(function (id) { var r = document"
             ".getElementById(id).getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })"
             ".concat([[window.scrollX, window.scrollY, document.getElementById('main').scrollTop]])")
    first = car.page.evaluate(rects)
    seen = set()
    for _ in range(7):
        _turn(car, 120)
        seen.add(car.view())
        assert car.page.evaluate(rects) == first
    assert len(seen) >= 3
