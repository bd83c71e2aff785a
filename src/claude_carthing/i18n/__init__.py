"""Translations and locale formats for everything a user reads: page, status, tray, alerts.

`t("resets {when}", when=...)` and `tn(singular, plural, n)` translate into the active language;
`activate(settings.language)` picks it once per process (`auto`: the PC's locale).
"""

from __future__ import annotations

import os
from typing import Any

from claude_carthing.i18n.catalogs import Catalog, catalog
from claude_carthing.i18n.languages import DEFAULT, LANGUAGES, resolve

__all__ = ["LANGUAGES", "activate", "active", "catalog", "t", "tn"]
ENV = "CLAUDE_CARTHING_LANGUAGE"  # the `language` setting's environment override

_active: list[Catalog] = []


def activate(setting: str | None) -> str:
    """Speak the language of the `language` setting ('auto', 'de', 'en-GB') from now on; return
    its tag."""
    tag = resolve(setting)
    _active[:] = [catalog(tag)]
    return tag


def active() -> Catalog:
    """Return the catalog in use (the PC's language until `activate` is called)."""
    if not _active:
        _active.append(catalog(resolve(os.environ.get(ENV))))
    return _active[0]


def language() -> str:
    """Return the tag of the language in use, with its region when it has one ('en-GB')."""
    return active().format_tag


def t(msgid: str, **values: Any) -> str:
    """Return `msgid` in the active language, placeholders filled."""
    return active().t(msgid, **values)


def tn(singular: str, plural: str, n: int, **values: Any) -> str:
    """Return the plural form for `n` in the active language (`{n}` filled)."""
    return active().tn(singular, plural, n, **values)


def is_default() -> bool:
    """Return True while English is spoken."""
    return active().code == DEFAULT


def clock(epoch_ms: float, offset_min: int, seconds: bool = False) -> str:
    """Return the time of day in the active language ('15:40', '3:40 PM')."""
    from claude_carthing.i18n import formats  # Babel's CLDR data: only once something is shown

    return formats.clock(epoch_ms, offset_min, language(), seconds)


def when(epoch_ms: float, now_ms: float, offset_min: int) -> str:
    """Return the time, with the weekday when it is not today ('Thu 15:40')."""
    from claude_carthing.i18n import formats

    return formats.when(epoch_ms, now_ms, offset_min, language())


def pct(value: float, decimals: int = 0) -> str:
    """Return a percentage in the active language ('42 %', '42%', '%42')."""
    from claude_carthing.i18n import formats

    return formats.percent(value, language(), decimals)


def money(amount: float, currency: str | None) -> str:
    """Return an amount of money in the active language."""
    from claude_carthing.i18n import formats

    return formats.money(amount, currency, language())


# Known parts of window names (the upstream's own words, sent in English in /usage).
_WINDOW_WORDS = {
    "five_hour": lambda: t("5-hour"),
    "seven_day": lambda: t("Weekly"),
}
_WEEKLY_PREFIX = "Weekly · "
_NAMES = {"OAuth apps": lambda: t("OAuth apps"), "Daily Routines": lambda: t("Daily Routines"),
          "Design": lambda: t("Design")}


def window_label(window_id: str | None, label: str | None) -> str:
    """Return a window's name in the active language ('Weekly · Sonnet' -> 'Wöchentlich · Sonnet').

    Model names stay as they are; an unknown label is shown as the server sent it.
    """
    if window_id in _WINDOW_WORDS:
        return _WINDOW_WORDS[window_id]()
    text = str(label or window_id or "")
    if text.startswith(_WEEKLY_PREFIX):
        name = text[len(_WEEKLY_PREFIX):]
        return t("Weekly · {name}", name=_NAMES[name]() if name in _NAMES else name)
    return text
