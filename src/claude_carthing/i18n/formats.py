"""Times, weekdays, numbers, percentages and money as the language's CLDR data (Babel) says.

The page gets the same patterns and names from `page_formats` and applies them itself
(page/i18n.js), so a time reads the same on the Car Thing, in `status` and in a notification.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
)

from claude_carthing.i18n.languages import babel_id

MINUTE_MS = 60_000
# Currencies the page can name with the language's own symbol; others show their ISO code.
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "BRL", "CHF", "CNY", "KRW", "PLN", "TRY",
              "UAH", "TWD", "INR", "SEK", "NOK", "DKK", "MXN", "NZD", "SGD", "HKD")
# 'B' (flexible day periods, "in the evening") is read as 'a' (AM/PM): one rule, page and PC.
_FLEXIBLE = re.compile(r"B+|b+")
_INTEGER = "#,##0"
# English keeps the space before the sign that every text, picture and test of this project has
# used since its first day ("80 %"); every other language follows CLDR.
PERCENT_OVERRIDES = {"en": "{n} %"}


@cache
def babel_locale(tag: str) -> Locale:
    """Return the Babel locale of a language tag ('de', 'en-GB', 'zh-Hant')."""
    return Locale.parse(babel_id(tag))


def _plain(pattern: str) -> str:
    return _FLEXIBLE.sub("a", pattern)


@cache
def patterns(code: str) -> dict[str, str]:
    """Return the time patterns: 'time' (15:40 / 3:40 PM), 'seconds', 'weekday_time'."""
    loc = babel_locale(code)
    short = _plain(loc.time_formats["short"].pattern)
    twelve = "h" in short.replace("'", "") or "K" in short
    skeleton = "Ehm" if twelve else "EHm"
    return {
        "time": short,
        "seconds": _plain(loc.time_formats["medium"].pattern),
        "weekday_time": _plain(loc.datetime_skeletons[skeleton].pattern),
    }


def _wall(epoch_ms: float, offset_min: int) -> datetime:
    """The PC's wall clock at an instant, as a naive time Babel formats without shifting."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return (moment + timedelta(minutes=offset_min)).replace(tzinfo=None)


def _format(moment: datetime, pattern: str, code: str) -> str:
    return str(format_datetime(moment, pattern, tzinfo=timezone.utc, locale=babel_locale(code)))


def clock(epoch_ms: float, offset_min: int, code: str, seconds: bool = False) -> str:
    """Return the time of day: '15:40', '3:40 PM', '午後3:40'."""
    key = "seconds" if seconds else "time"
    return _format(_wall(epoch_ms, offset_min), patterns(code)[key], code)


def when(epoch_ms: float, now_ms: float, offset_min: int, code: str) -> str:
    """Return the time on the same local day as now, else the weekday and time ('Thu 15:40')."""
    moment = _wall(epoch_ms, offset_min)
    today = _wall(now_ms, offset_min)
    key = "time" if moment.date() == today.date() else "weekday_time"
    return _format(moment, patterns(code)[key], code)


def number(value: float, code: str, decimals: int = 0) -> str:
    """Return a number with the language's separators and exactly `decimals` decimals."""
    fmt = _INTEGER + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, fmt, locale=babel_locale(code)))


@cache
def percent_pattern(code: str) -> str:
    """Return where the number goes next to the percent sign: '{n} %', '{n}%', '%{n}'."""
    if code.split("-", maxsplit=1)[0] in PERCENT_OVERRIDES:
        return PERCENT_OVERRIDES[code.split("-", maxsplit=1)[0]]
    loc = babel_locale(code)
    pattern = loc.percent_formats[None].pattern.split(";")[0]
    sign = loc.number_symbols[loc.default_numbering_system]["percentSign"]
    return re.sub(r"[#0,.]+", "{n}", pattern, count=1).replace("%", sign)


def percent(value: float, code: str, decimals: int = 0) -> str:
    """Return a percentage (42 -> '42 %' in German, '42%' in English, '%42' in Turkish)."""
    return percent_pattern(code).replace("{n}", number(value, code, decimals))


def money(amount: float, currency: str | None, code: str) -> str:
    """Return an amount of money: '$12.50', '12,50 $', 'US$ 12,50'."""
    return str(format_currency(amount, currency or "USD", locale=babel_locale(code)))


def page_formats(code: str) -> dict[str, Any]:
    """Return the CLDR data the page's formatters need, for one language."""
    loc = babel_locale(code)
    symbols = loc.number_symbols[loc.default_numbering_system]
    periods = loc.day_periods["format"]["abbreviated"]
    return {
        **patterns(code),
        "weekdays": [loc.days["format"]["abbreviated"][i] for i in range(7)],  # Monday first
        "am": periods["am"],
        "pm": periods["pm"],
        "decimal": symbols["decimal"],
        "group": symbols["group"],
        "minus": symbols["minusSign"],
        "percent": percent_pattern(code),
        "currency": loc.currency_formats["standard"].pattern,
        "currencies": {c: [get_currency_symbol(c, loc), get_currency_precision(c)]
                       for c in CURRENCIES},
    }
