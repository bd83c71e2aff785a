"""A pseudo-language that marks every message of the catalog «…», and the words a text shows
outside those marks: a word there bypassed the catalog (issue 21)."""

from __future__ import annotations

import re
from collections.abc import Container

from babel.messages.pofile import read_po

from claude_carthing.i18n.catalogs import TEMPLATE, Catalog


def pseudo() -> Catalog:
    """A language whose every message reads «…» around the English."""
    with TEMPLATE.open("rb") as f:
        messages = [m for m in read_po(f) if m.id]
    singles = {m.id: f"«{m.id}»" for m in messages if isinstance(m.id, str)}
    plurals = {m.id[0]: (f"«{m.id[0]}»", f"«{m.id[1]}»") for m in messages
               if isinstance(m.id, tuple)}
    return Catalog("en", singles, plurals)


def unmarked(text: str, data: Container[str]) -> list[str]:
    """Return the words outside «…» that are not `data` (names from Claude and the PC)."""
    depth, outside = 0, []
    for ch in text:
        if ch == "«":
            depth += 1
        elif ch == "»":
            depth = max(0, depth - 1)
            outside.append(" ")
        elif depth == 0:
            outside.append(ch)
    return [w for w in re.findall(r"[^\W\d_]{2,}", "".join(outside)) if w not in data]
