"""Issue 17.23 in the Car Thing's own engine (Chromium 69) at 800x480: a red card's texts line
up with its neighbours', four cards with history keep their lines under the demo banner, and
cards without history get bigger numbers, with nothing cut off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.page.test_chromium69_page import Car
from tests.page.test_layout_fixes import CARDS

pytestmark = pytest.mark.chromium69


@pytest.fixture(scope="module")
def car(chromium69_binary: Path) -> Iterator[Car]:
    c = Car(chromium69_binary)
    yield c
    assert c.errors() == []
    c.close()


def test_a_red_card_lines_up_in_chromium69(car: Car) -> None:
    car.open("live")
    found = car.page.evaluate(f"({CARDS})()")
    assert any(c["alert"] for c in found)
    assert {round(c["labelTop"]) for c in found} == {round(found[0]["labelTop"])}
    assert {round(c["labelLeft"]) for c in found} == {round(found[0]["labelLeft"])}


def test_four_cards_keep_their_lines_under_a_banner_in_chromium69(car: Car) -> None:
    car.open("demo")
    found = car.page.evaluate(f"({CARDS})()")
    assert len(found) == 4
    assert all(c["spark"] and c["spark"][1] >= 24 for c in found), found
    assert car.audit()["problems"] == []


def test_cards_without_history_grow_in_chromium69(car: Car) -> None:
    car.open("live-no-history")
    found = car.page.evaluate(f"({CARDS})()")
    assert all(c["pct"] > 96 and c["empty"] < 0.3 * c["height"] for c in found), found
    assert car.audit()["problems"] == []
