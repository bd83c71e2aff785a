"""The gallery in docs/page.md shows every state in both themes, and every picture it names exists
(regenerate with `python -m tests.page.gallery` after adding a state)."""

from __future__ import annotations

import re

from tests.page import gallery, scenes


def test_gallery_covers_every_state_in_both_themes() -> None:
    text = gallery.PAGE_MD.read_text(encoding="utf-8")
    section = text[text.index(gallery.START):text.index(gallery.END)]
    named = re.findall(r"\(screenshots/gallery/([^)]+\.png)\)", section)
    assert named, "docs/page.md has a gallery"
    for file in named:
        assert (gallery.GALLERY / file).is_file(), f"{file} is named but missing"
    for name in scenes.NAMES:
        for theme in ("dark", "light"):
            assert f"{name}-{theme}-overview.png" in named, f"{name} ({theme}) is not in the gallery"
    for name in gallery.ALL_VIEWS:
        for view in gallery.VIEW_KEYS:
            assert f"{name}-dark-{view}.png" in named


def test_readme_pictures_exist() -> None:
    readme = (gallery.ROOT / "README.md").read_text(encoding="utf-8")
    for file in re.findall(r"\(docs/screenshots/([^)]+\.png)\)", readme):
        assert (gallery.SHOTS / file).is_file(), file
    total = sum(p.stat().st_size for p in gallery.SHOTS.rglob("*.png"))
    assert total < 4_000_000, f"the pictures stay small ({total} bytes)"


def test_gallery_shows_the_sessions_view_and_the_waiting_banner() -> None:
    # Issue 18: each scene with Claude Code sessions in its overview (the banner) and its
    # Sessions view, both themes.
    text = gallery.PAGE_MD.read_text(encoding="utf-8")
    section = text[text.index(gallery.START):text.index(gallery.END)]
    assert scenes.SESSION_SCENES, "there are scenes with sessions"
    for name in scenes.SESSION_SCENES:
        for theme in ("dark", "light"):
            for view in ("overview", "sessions"):
                file = f"{name}-{theme}-{view}.png"
                assert f"(screenshots/gallery/{file})" in section, file
                assert (gallery.GALLERY / file).is_file(), file


def test_gallery_shows_german_japanese_and_polish() -> None:
    # Issue 21: the longest Latin languages and Japanese (with the page's own CJK font),
    # both themes, pictures from Chromium 69.
    text = gallery.PAGE_MD.read_text(encoding="utf-8")
    section = text[text.index(gallery.START):text.index(gallery.END)]
    for lang in ("de", "ja", "pl"):
        for theme in ("dark", "light"):
            shown = [f for f, code, _name, t in gallery.language_files() if (code, t) == (lang, theme)]
            assert shown and f"(screenshots/gallery/{shown[0]})" in section
            assert (gallery.GALLERY / shown[0]).is_file()
