"""Issue 20.5 in the Car Thing's own engine (Chromium 69 via DevTools, with the v3 kiosk's own
flags): several accounts legible and whole at 800x480 in both themes, the overview of all and every
account's own views reached with the device's presets, back button and dial, and one account's
page unchanged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.page.stage import AUDIT
from tests.page.test_accounts_page import OUTSIDE, ROWS
from tests.page.test_chromium69_page import Car
from tests.page.test_chromium69_sessions import KioskCar

pytestmark = pytest.mark.chromium69


@pytest.fixture(scope="module")
def car(chromium69_binary: Path) -> Iterator[Car]:
    c = KioskCar(chromium69_binary)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def no_page_errors(car: Car) -> Iterator[None]:
    """Every test here fails when the page threw in Chromium 69."""
    yield
    assert car.errors() == []


def open_home(car: Car, name: str, theme: str = "dark") -> Any:
    scene = car.open(name, theme=theme)
    if scene.accounts and len(scene.accounts) > 1:
        car.page.wait_for("document.getElementById('main').dataset.view === 'accounts' && "
                          "document.querySelector('#main .acct') !== null")
    time.sleep(0.1)
    return scene


def where(car: Car) -> tuple[str, str]:
    return car.view(), str(car.page.evaluate("document.getElementById('title').textContent"))


def settle(car: Car) -> None:
    car.page.wait_for("document.getElementById('main').dataset.screen !== 'loading'")
    time.sleep(0.05)


def press(car: Car, code: str) -> None:
    car.page.key(code)
    settle(car)


def turn(car: Car, dx: float) -> None:
    car.page.wheel(delta_x=dx)
    time.sleep(0.2)  # the page takes one dial step per 120 ms
    settle(car)


def audit(car: Car, min_text: float, min_pct: float) -> dict[str, Any]:
    return dict(car.page.evaluate(f"({AUDIT})({min_text}, {min_pct})"))


def five_hour(car: Car) -> str:
    return str(car.page.evaluate(
        "document.querySelector(\"#main .card[data-window='five_hour'] .pct\").firstChild.nodeValue"))


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("name", ["accounts-2", "accounts-3", "accounts-4"])
def test_every_account_and_view_is_legible_and_whole(car, name, theme) -> None:
    scene = open_home(car, name, theme)
    count = len(scene.accounts)
    assert car.page.evaluate("navigator.userAgent").find("Chrome/69.") > 0
    need = 64 if count == 2 else 48
    found = audit(car, 16, need)
    assert found["problems"] == [], f"{name} {theme} all accounts"
    assert min(t["size"] for t in found["texts"] if t["pct"]) >= need
    assert car.page.evaluate(OUTSIDE) == []
    for account in scene.accounts:
        press(car, "Digit1")
        # An account without numbers shows its panel ("No usage data") in place of cards.
        assert where(car) == ("overview" if scene.accounts[account][1] else "panel", account)
        for code in ("Digit1", "Digit2", "Digit3", "Digit4", "Escape"):
            if code != "Digit1":
                press(car, code)
            compact = car.page.evaluate("document.querySelector('#main .grid.compact') !== null")
            found = audit(car, 14 if compact else 16, 48 if compact else 64)
            assert found["problems"] == [], f"{name} {theme} {account} {code}"
            assert found["texts"]
    press(car, "Digit1")
    assert where(car) == ("accounts", f"All accounts · {count}")


def test_what_a_user_sees_on_two_accounts(car) -> None:
    open_home(car, "accounts-2")
    assert where(car) == ("accounts", "All accounts · 2")
    rows = {r["name"]: r for r in car.page.evaluate(ROWS)}
    assert rows["personal"]["state"] == "Live"
    assert rows["personal"]["cells"] == [["5-hour", "23", "ok"], ["Weekly", "64", "warn"],
                                         ["Weekly · Sonnet", "86", "crit"]]
    assert rows["work"]["cells"] == [["5-hour", "71", "warn"], ["Weekly", "38", "ok"],
                                     ["Weekly · Opus", "55", "warn"]]
    assert rows["work"]["state"].startswith("Not updating: Cloudflare is checking the PC")


def test_one_account_is_todays_page(car) -> None:
    car.server.accounts_reads = 0
    open_home(car, "accounts-1")
    assert where(car) == ("overview", "Claude usage")
    assert car.page.evaluate("document.querySelectorAll('[data-account]').length") == 0
    assert car.server.accounts_reads == 0, "no /api/accounts read"
    press(car, "Digit1")
    assert car.view() == "overview"


def test_presets_and_back_reach_every_account(car) -> None:
    open_home(car, "accounts-4")
    seen = []
    for _ in range(5):
        press(car, "Digit1")
        seen.append(where(car))
    assert seen == [("overview", "personal"), ("overview", "work"), ("overview", "team"),
                    ("panel", "lab"), ("accounts", "All accounts · 4")]
    press(car, "Digit1")
    press(car, "Digit1")
    assert five_hour(car) == "71", "work's own numbers"
    press(car, "Digit2")
    assert where(car) == ("detail", "work")
    press(car, "Escape")
    assert where(car) == ("overview", "work")
    press(car, "Escape")
    assert where(car) == ("accounts", "All accounts · 4")
    press(car, "Digit4")
    press(car, "Digit1")
    assert where(car) == ("accounts", "All accounts · 4"), "preset 1 from any view goes home"


def test_the_dial_turns_through_the_accounts_and_back(car) -> None:
    open_home(car, "accounts-2")
    seen = []
    for _ in range(10):
        turn(car, 120)
        seen.append(where(car))
    assert seen[:2] == [("overview", "personal"), ("overview", "work")]
    assert seen[-1] == ("accounts", "All accounts · 2")
    assert ("status", "work") in seen and ("detail", "work") in seen
    turn(car, -120)
    assert where(car) == ("status", "work")
    for _ in range(8):
        turn(car, -120)
    assert where(car) == ("overview", "personal")
    assert five_hour(car) == "23"
