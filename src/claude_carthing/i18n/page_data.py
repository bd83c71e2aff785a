"""What `GET /api/i18n?lang=xx` sends the page: its messages, plural rule and CLDR formats.

The Car Thing has no locale of its own and Chrome 69's Intl data cannot be trusted there, so the
page formats with this data only (page/i18n.js), and keeps the last answer for offline starts.
"""

from __future__ import annotations

from typing import Any

from claude_carthing.i18n.catalogs import catalog
from claude_carthing.i18n.formats import page_formats
from claude_carthing.i18n.languages import DEFAULT, LANGUAGES, normalize


def page_catalog(tag: str) -> dict[str, Any]:
    """Return the page's catalog for a language tag (an unknown one gets English)."""
    found = catalog(normalize(tag) or DEFAULT)
    code = found.format_tag
    return {
        "language": code,
        "name": LANGUAGES[found.code][1],
        "messages": found.messages,
        "plurals": {k: list(v) for k, v in found.plurals.items()},
        "plural_table": found.plural_table(),
        "formats": page_formats(code),
    }
