"""Regenerate the page's gallery: `python -m tests.page.gallery` (`--only SCENE ...`: retake just
those scenes' 800x480 pictures, e.g. after adding a state, and rewrite the gallery section).

Every state in both themes at the Car Thing's 800x480 from Chromium 69 (the kiosk's engine;
Debian's Chromium stands in, and says so, where Chromium 69 cannot run), each view of a live and
a demo reading, and the desktop (1280x800, 1920x1080) and phone (390x844) layouts from Debian's
Chromium. Writes docs/screenshots/gallery/*.png, the README's pictures in docs/screenshots/,
and the gallery section of docs/page.md. The pages read from a loopback scene server only.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.page import scenes

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
GALLERY = SHOTS / "gallery"
PAGE_MD = ROOT / "docs" / "page.md"
START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
VIEW_KEYS = {"overview": "Digit1", "detail": "Digit2", "list": "Digit3", "status": "Digit4"}
ALL_VIEWS = ("live", "demo")  # scenes shown in every view; the others in their overview
# Issue 18: the scenes with Claude Code sessions are also shown in the Sessions view (key 5).
KEYS = {**VIEW_KEYS, "sessions": "Digit5"}
# Issue 20: several accounts. Their "overview" is the overview of all accounts (the home view);
# "account" is the second account's own view (preset 1 twice: the failing one in these scenes).
ACCOUNT_VIEWS = {"accounts-2": ("overview", "account"), "accounts-4": ("overview",)}
PRESSES = {**{view: (code,) for view, code in KEYS.items()}, "account": ("Digit1", "Digit1")}
SCENES = (*scenes.NAMES, *ACCOUNT_VIEWS)


def views_of(name: str) -> tuple[str, ...]:
    """The views a scene is pictured in."""
    if name in ACCOUNT_VIEWS:
        return ACCOUNT_VIEWS[name]
    views = tuple(VIEW_KEYS) if name in ALL_VIEWS else ("overview",)
    return views + (("sessions",) if name in scenes.SESSION_SCENES else ())

SIZES = (("desktop-1280x800", 1280, 800, "live"), ("desktop-1920x1080", 1920, 1080, "live-six"),
         ("phone-390x844", 390, 844, "live"), ("phone-390x844-demo", 390, 844, "demo"))
# The README's pictures: (file, scene, theme, view).
README = (("live-dark-warning", "live", "dark", "overview"),
          ("live-light-warning", "live", "light", "overview"),
          ("live-dark-normal", "calm", "dark", "overview"),
          ("live-light-normal", "calm", "light", "overview"),
          ("stale-cloudflare", "stale", "dark", "overview"),
          ("stale-unreachable", "cached", "dark", "overview"),
          ("not-configured", "not-configured", "dark", "overview"),
          ("error-no-data", "no-data", "dark", "overview"),
          ("demo", "demo", "dark", "overview"))


def shots_800(engine: str, only: tuple[str, ...] = ()) -> list[tuple[str, str, str, str]]:
    """Take the 800x480 pictures (of the `only` scenes, when given); return (file, scene, theme,
    view) rows."""
    rows: list[tuple[str, str, str, str]] = []
    wanted = [(n, t, v) for n in SCENES for t in ("dark", "light")
              for v in views_of(n) if not only or n in only]
    if engine == "chromium69":
        with chromium69_car() as car:
            for name, theme, view in wanted:
                car.open(name, theme=theme)
                if view != "overview":
                    for code in PRESSES[view]:
                        car.page.key(code)
                        time.sleep(0.1)
                        car.page.wait_for("document.getElementById('main').dataset.screen !== 'loading'")
                time.sleep(0.15)
                file = f"{name}-{theme}-{view}.png"
                car.page.screenshot(GALLERY / file)
                rows.append((file, name, theme, view))
        return rows
    from playwright.sync_api import sync_playwright
    from tests.page.stage import show
    from tests.support.browser import ARGS, require_chromium

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(require_chromium()), args=ARGS)
        for name, theme, view in wanted:
            page = browser.new_context(viewport={"width": 800, "height": 480}).new_page()
            show(page, scenes.build(time.time())[name], theme=theme)
            if name in ACCOUNT_VIEWS:
                page.wait_for_function("document.querySelector('#main .acct') !== null")
            if view != "overview":
                for code in PRESSES[view]:
                    page.keyboard.press(code.replace("Digit", ""))
                    page.wait_for_function(
                        "document.getElementById('main').dataset.screen !== 'loading'")
            file = f"{name}-{theme}-{view}.png"
            page.screenshot(path=str(GALLERY / file))
            page.context.close()
            rows.append((file, name, theme, view))
        browser.close()
    return rows


@contextlib.contextmanager
def chromium69_car() -> Iterator[Any]:
    """The page's test harness in Chromium 69 (the Car Thing's engine), closed afterwards."""
    from tests.page.test_chromium69_page import Car
    from tests.support.chromium69 import install

    car = Car(install())
    try:
        yield car
    finally:
        car.close()


# Issue 21: the page in other languages (the longest Latin ones, and Japanese with its fonts).
LANGUAGE_SHOTS = (("de", "live-six"), ("ja", "live"), ("pl", "sessions"))


def shots_languages(engine: str) -> list[tuple[str, str, str, str]]:
    """Take the pictures in other languages; return (file, language, scene, theme) rows."""
    rows: list[tuple[str, str, str, str]] = []
    if engine != "chromium69":
        return rows
    with chromium69_car() as car:
        for lang, name in LANGUAGE_SHOTS:
            for theme in ("dark", "light"):
                car.open(name, query=f"lang={lang}", theme=theme)
                car.page.wait_for(f"CC.i18n.language() === {lang!r} && "
                                  "document.fonts.status === 'loaded'")
                time.sleep(0.3)
                file = f"lang-{lang}-{name}-{theme}.png"
                car.page.screenshot(GALLERY / file)
                rows.append((file, lang, name, theme))
    return rows


def language_files() -> list[tuple[str, str, str, str]]:
    """Return the language pictures' rows without taking them."""
    return [(f"lang-{lang}-{name}-{theme}.png", lang, name, theme)
            for lang, name in LANGUAGE_SHOTS for theme in ("dark", "light")]


def shots_sizes() -> list[tuple[str, str]]:
    """Take the desktop and phone pictures with Debian's Chromium; return (file, caption)."""
    from playwright.sync_api import sync_playwright
    from tests.page.stage import show
    from tests.support.browser import ARGS, require_chromium

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(require_chromium()), args=ARGS)
        for label, width, height, name in SIZES:
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            show(page, scenes.build(time.time())[name])
            file = f"{label}.png"
            page.screenshot(path=str(GALLERY / file), full_page=width < 640)
            page.context.close()
            out.append((file, f"{name}, {width}x{height}"))
        browser.close()
    return out


def write_markdown(rows: list[tuple[str, str, str, str]], sizes: list[tuple[str, str]],
                   engine: str, languages: list[tuple[str, str, str, str]] | None = None) -> None:
    """Replace the gallery section of docs/page.md."""
    by = {(n, t, v): f for f, n, t, v in rows}
    lines = [START, "",
             f"Regenerated by `python -m tests.page.gallery`; 800x480 pictures from "
             f"{'Chromium 69 (the Car Thing engine)' if engine == 'chromium69' else 'Debian Chromium'}.",
             "", "| State | Dark | Light |", "|---|---|---|"]
    for name in SCENES:
        for view in views_of(name):
            dark, light = by[(name, "dark", view)], by[(name, "light", view)]
            lines.append(f"| {name} · {view} | ![{name} {view} dark](screenshots/gallery/{dark}) "
                         f"| ![{name} {view} light](screenshots/gallery/{light}) |")
    if languages:
        lines += ["", "Other languages (Chromium 69, `?lang=`; Japanese with the page's own CJK "
                  "font subset):", "", "| Language · state | Dark | Light |", "|---|---|---|"]
        by_lang = {(lang, name, theme): f for f, lang, name, theme in languages}
        for lang, name in LANGUAGE_SHOTS:
            dark, light = by_lang[(lang, name, "dark")], by_lang[(lang, name, "light")]
            lines.append(f"| {lang} · {name} | ![{lang} {name} dark](screenshots/gallery/{dark}) "
                         f"| ![{lang} {name} light](screenshots/gallery/{light}) |")
    lines += ["", "Other screens (Debian Chromium):", ""]
    lines += [f"![{caption}](screenshots/gallery/{file})" for file, caption in sizes]
    lines += ["", END]
    text = PAGE_MD.read_text(encoding="utf-8")
    if START in text:
        text = text[:text.index(START)] + "\n".join(lines) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Gallery\n\n" + "\n".join(lines) + "\n"
    PAGE_MD.write_text(text, encoding="utf-8")


def kept_rows() -> list[tuple[str, str, str, str]]:
    """Return the 800x480 pictures' rows without taking them."""
    return [(f"{n}-{t}-{v}.png", n, t, v) for n in SCENES for t in ("dark", "light")
            for v in views_of(n)]


def kept_sizes() -> list[tuple[str, str]]:
    """Return the other screens' rows without taking them."""
    return [(f"{label}.png", f"{name}, {w}x{h}") for label, w, h, name in SIZES]


def compact() -> None:
    """Store every picture as small as lossless PNG allows (the browser's are not): the
    repository keeps them all, under test_gallery's size bound."""
    import io

    from PIL import Image

    for path in SHOTS.rglob("*.png"):
        out = io.BytesIO()
        with Image.open(path) as picture:
            picture.save(out, "PNG", optimize=True)
        if out.tell() < path.stat().st_size:
            path.write_bytes(out.getvalue())


def main() -> None:
    """Regenerate every picture and the gallery section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("chromium69", "debian"), default="chromium69")
    parser.add_argument("--only", nargs="+", default=(), metavar="SCENE",
                        help="retake only these scenes' 800x480 pictures; keep the others")
    parser.add_argument("--languages", action="store_true",
                        help="retake only the pictures in other languages; keep the others")
    args = parser.parse_args()
    engine, only = args.engine, tuple(args.only)
    if engine == "chromium69":
        try:
            from tests.support.chromium69 import install

            install()
        except Exception as exc:
            print(f"Chromium 69 is not available ({exc}); using Debian's Chromium")
            engine = "debian"
    if args.languages:
        write_markdown(kept_rows(), kept_sizes(), engine, shots_languages(engine))
        compact()
        return
    languages = language_files()
    if only:
        unknown = set(only) - set(SCENES)
        if unknown:
            raise SystemExit(f"no such scene: {', '.join(sorted(unknown))}")
        shots_800(engine, only)
        rows, sizes = kept_rows(), kept_sizes()
    else:
        if GALLERY.exists():
            shutil.rmtree(GALLERY)
        GALLERY.mkdir(parents=True)
        rows = shots_800(engine)
        sizes = shots_sizes()
        languages = shots_languages(engine)
    by = {(n, t, v): f for f, n, t, v in rows}
    for file, name, theme, view in README:
        if not only or name in only:
            shutil.copyfile(GALLERY / by[(name, theme, view)], SHOTS / f"{file}.png")
    write_markdown(rows, sizes, engine, languages)
    compact()
    total = sum(p.stat().st_size for p in GALLERY.glob("*.png"))
    print(f"{len(rows) + len(sizes)} pictures, {total / 1e6:.1f} MB, engine {engine}")


if __name__ == "__main__":
    main()
