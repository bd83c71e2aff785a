"""Times, weekdays, numbers, percentages and money as each language writes them (CLDR)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from claude_carthing.i18n import formats

# Thursday 2026-01-15 14:05 UTC; the PC is at UTC+1.
AT = int(datetime(2026, 1, 15, 14, 5, tzinfo=timezone.utc).timestamp() * 1000)
DAY = 86_400_000


@pytest.mark.parametrize(("tag", "today", "other_day"), [
    ("en", "3:05\u202fPM", "Thu 3:05 PM"),
    ("en-GB", "15:05", "Thu 15:05"),
    ("de", "15:05", "Do., 15:05"),
    ("ja", "15:05", "15:05 (木)"),
    ("ko", "오후 3:05", "(목) 오후 3:05"),
    ("zh-Hant", "下午3:05", "週四下午3:05"),
    ("pl", "15:05", "czw., 15:05"),
])
def test_times_follow_the_language(tag: str, today: str, other_day: str) -> None:
    assert formats.clock(AT, 60, tag) == today
    assert formats.when(AT, AT, 60, tag) == today
    assert formats.when(AT, AT - 2 * DAY, 60, tag) == other_day


@pytest.mark.parametrize(("tag", "money", "percent"), [
    ("en", "$1,234.50", "42.5 %"),
    ("de", "1.234,50\xa0$", "42,5\xa0%"),
    ("fr", "1\u202f234,50\xa0$US", "42,5\xa0%"),
    ("tr", "$1.234,50", "%42,5"),
    ("ja", "$1,234.50", "42.5%"),
])
def test_money_and_percentages_follow_the_language(tag: str, money: str, percent: str) -> None:
    assert formats.money(1234.5, "USD", tag) == money
    assert formats.percent(42.5, tag, 1) == percent
