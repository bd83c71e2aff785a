"""The page's CJK fonts: the committed subsets cover every character their language's catalog
and CLDR names use (a new translation without `python tools/font_subset.py` fails here), they
stay small, and CJK text draws with them in Chromium 69 on a system without any CJK font."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from claude_carthing.device.page import page_files
from claude_carthing.i18n.fonts import FONTS, FONTS_DIR, needed_characters
from tests.page import scenes
from tests.page.scene_server import SceneServer

MAX_BYTES = 100 * 1024  # one language's subset; all four together stay under 300 KiB


@pytest.mark.parametrize("code", list(FONTS))
def test_the_subset_covers_every_character_of_its_catalog(code: str) -> None:
    file_name, _family, _face = FONTS[code]
    font = TTFont(FONTS_DIR / file_name)
    covered = set(map(chr, font.getBestCmap()))
    missing = sorted(set(needed_characters(code)) - covered)
    assert missing == [], f"run python tools/font_subset.py: {''.join(missing)}"
    assert (FONTS_DIR / file_name).stat().st_size < MAX_BYTES


def test_the_fonts_go_to_the_device_with_the_page() -> None:
    shipped = page_files()
    for file_name, _family, _face in FONTS.values():
        assert shipped[f"fonts/{file_name}"] == (FONTS_DIR / file_name).read_bytes()
    assert sum(len(shipped[f"fonts/{f}"]) for f, _, _ in FONTS.values()) < 300 * 1024


# Draw each CJK character on a canvas and compare with the box a character no font has: equal
# means a missing glyph. The same with the system's own fonts only proves there are none.
PROBE = """(async function () {
  var fam = getComputedStyle(document.body).fontFamily;
  var chars = Array.from(new Set(document.body.innerText.replace(/[\\u0000-\\u2e7f]/g, '').split('')));
  await document.fonts.load('32px ' + fam, chars.join('')).catch(function () { return []; });
  function px(ch, font) {
    var c = document.createElement('canvas'); c.width = 44; c.height = 44;
    var x = c.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 4, 34);
    return c.toDataURL();
  }
  var box = px('\\ue000', fam);
  return { chars: chars.join(''), family: fam,
    boxes: chars.filter(function (ch) { return px(ch, fam) === box; }).join(''),
    system: chars.filter(function (ch) { return px(ch, 'sans-serif') !== box; }).join('') };
})()"""


@pytest.fixture
def no_cjk_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fontconfig that knows only DejaVu: no CJK font anywhere, as on the Car Thing."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    "<dir>/usr/share/fonts/truetype/dejavu</dir>"
                    f"<cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True,
                                check=False).stdout
        assert listed.strip() == "", listed


@pytest.mark.chromium69
@pytest.mark.parametrize("lang", list(FONTS))
def test_cjk_text_draws_with_the_shipped_font_in_chromium69(chromium69, no_cjk_fonts,
                                                            lang: str) -> None:
    with SceneServer(scenes.build(time.time())["live"]) as server:
        page = chromium69(f"{server.url}/?poll=600&lang={lang}").page
        page.wait_for(f"window.CC && CC.i18n.language() === {lang!r} && "
                      "document.getElementById('main').dataset.screen === 'data'")
        found = page.evaluate(PROBE)
    assert len(found["chars"]) >= 10, found  # the page does show CJK text
    assert found["system"] == "", "the system has CJK fonts: this would prove nothing"
    assert found["boxes"] == "", f"drawn as boxes: {found['boxes']}"
