"""The CJK font subsets the page ships (page/fonts/, made by tools/font_subset.py)."""

from __future__ import annotations

from claude_carthing.i18n.catalogs import catalog
from claude_carthing.i18n.page_data import page_catalog
from claude_carthing.paths import page_dir

FONTS_DIR = page_dir() / "fonts"
# Language -> (file, CSS family, face in Noto Sans CJK's collection: 0 JP, 1 KR, 2 SC, 3 TC).
FONTS = {
    "ja": ("noto-sans-cjk-ja.woff2", "CC Noto Sans CJK JP", 0),
    "ko": ("noto-sans-cjk-ko.woff2", "CC Noto Sans CJK KR", 1),
    "zh-Hans": ("noto-sans-cjk-zh-hans.woff2", "CC Noto Sans CJK SC", 2),
    "zh-Hant": ("noto-sans-cjk-zh-hant.woff2", "CC Noto Sans CJK TC", 3),
}
FIRST_CJK = 0x2E80  # below: Latin, Cyrillic, punctuation the system font already has


def needed_characters(code: str) -> str:
    """Return every CJK character the page may show in a language, sorted."""
    found = catalog(code)
    texts = list(found.messages.values())
    texts += [form for forms in found.plurals.values() for form in forms]
    formats = page_catalog(code)["formats"]
    texts += [*formats["weekdays"], formats["am"], formats["pm"], formats["time"],
              formats["weekday_time"], *(s for s, _ in formats["currencies"].values())]
    texts.append(page_catalog(code)["name"])
    return "".join(sorted({c for text in texts for c in text if ord(c) >= FIRST_CJK}))
