"""Make the page's CJK fonts: `python tools/font_subset.py` (needs fonttools and brotli).

The Car Thing may have no CJK font at all, and a missing glyph shows as a box. For Japanese,
Korean and Chinese (simplified, traditional) the page ships a subset of Noto Sans CJK (Debian's
fonts-noto-cjk) holding exactly the characters that language's catalog and its CLDR names
(weekdays, AM/PM, currency signs) use: src/claude_carthing/page/fonts/*.woff2. Latin text keeps
the system font. Run it again after a translation changes; tests/i18n/test_fonts.py fails until
the committed subset covers every character.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from claude_carthing.i18n.fonts import FONTS, FONTS_DIR, needed_characters  # noqa: E402

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def subset(code: str, face: int, chars: str) -> bytes:
    """Return a WOFF2 of the collection's face `face` with only `chars`."""
    from fontTools import subset as fts
    from fontTools.ttLib import TTFont

    font = TTFont(SOURCE, fontNumber=face, lazy=False)
    options = fts.Options()
    options.flavor = "woff2"
    options.hinting = False  # 800x480 at 16 px and more: the outlines alone read well
    options.desubroutinize = True
    options.layout_features = ["*"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    sub = fts.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def main() -> None:
    """Write one subset per CJK language and say how big each is."""
    FONTS_DIR.mkdir(exist_ok=True)
    for code, (file_name, _family, face) in FONTS.items():
        chars = needed_characters(code)
        data = subset(code, face, chars)
        (FONTS_DIR / file_name).write_bytes(data)
        print(f"{file_name}: {len(chars)} characters, {len(data) // 1024} KiB")


if __name__ == "__main__":
    main()
