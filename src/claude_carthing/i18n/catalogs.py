"""The gettext catalogs (locales/*.po), read with Babel at run time: no compile step to install.

Messages are the English text with `{name}` placeholders; a language without a translation for
one falls back to the English text, so a new message never shows a blank.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from claude_carthing.i18n.languages import DEFAULT, LANGUAGES, match, normalize

LOCALES = Path(__file__).resolve().parent.parent / "locales"
TEMPLATE = LOCALES / "messages.pot"
PLURAL_TABLE = 200  # the page gets the plural form of 0..199; n >= 200 uses 100 + n % 100


class _Blank(dict[str, Any]):
    """Placeholders a caller did not give stay as they were, instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: dict[str, Any]) -> str:
    """Return `text` with its `{name}` placeholders replaced."""
    return text.format_map(_Blank(values)) if values else text


def po_path(code: str) -> Path:
    """Return the catalog file of a language code ('pt-BR' -> locales/pt_BR.po)."""
    return LOCALES / (code.replace("-", "_") + ".po")


@dataclass(frozen=True)
class Catalog:
    """One language's messages and its plural rule."""

    code: str  # the language: 'de', 'pt-BR', 'zh-Hant'
    messages: dict[str, str] = field(default_factory=dict)
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by singular msgid
    plural_expr: str = "(n != 1)"
    nplurals: int = 2
    tag: str = ""  # with the region whose formats apply: 'en-GB'; '' = the language's own

    @property
    def format_tag(self) -> str:
        """Return the tag whose CLDR formats apply ('en-GB', else the language's code)."""
        return self.tag or self.code

    @property
    def plural_index(self) -> Callable[[int], int]:
        """Return the gettext plural rule as a function of n."""
        return _compiled(self.plural_expr)

    def t(self, msgid: str, **values: Any) -> str:
        """Return the translation of `msgid` with its placeholders filled."""
        return fill(self.messages.get(msgid) or msgid, values)

    def tn(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """Return the plural form of the message for `n` (`{n}` is filled too)."""
        forms = self.plurals.get(singular)
        index = self.plural_index(abs(int(n)))
        if forms and 0 <= index < len(forms) and forms[index]:
            text = forms[index]
        else:
            text = singular if n == 1 else plural
        return fill(text, {"n": n, **values})

    def plural_table(self) -> list[int]:
        """Return the plural form of 0..PLURAL_TABLE-1 (what the page uses, without eval)."""
        rule = self.plural_index
        return [rule(n) for n in range(PLURAL_TABLE)]


@cache
def _compiled(expr: str) -> Callable[[int], int]:
    rule: Callable[[int], int] = gettext.c2py(expr)
    return rule


def read_po(path: Path, code: str) -> Catalog:
    """Return the catalog of a .po file (fuzzy and empty translations left out)."""
    from babel.messages.pofile import read_po as babel_read_po

    with path.open("rb") as f:
        po = babel_read_po(f, locale=LANGUAGES[code][0], charset="utf-8")
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            forms = tuple(message.string or ())
            if any(forms):
                plurals[message.id[0]] = forms
        elif isinstance(message.string, str) and message.string:
            messages[str(message.id)] = message.string
    from babel.messages.plurals import get_plural

    rule = get_plural(LANGUAGES[code][0])
    return Catalog(code, messages, plurals, rule.plural_expr, rule.num_plurals)


_lock = threading.Lock()
_loaded: dict[str, Catalog] = {}


def catalog(tag: str) -> Catalog:
    """Return a language's catalog (read once); English and unknown tags get no translations."""
    code = match(tag) or DEFAULT
    with _lock:
        found = _loaded.get(code)
        if found is None:
            path = po_path(code)
            found = read_po(path, code) if code != DEFAULT and path.is_file() else Catalog(code)
            _loaded[code] = found
    full = normalize(tag) or code
    return found if full == code else replace(found, tag=full)
