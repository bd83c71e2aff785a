"""The page in every language (issue 21): the server's catalog, formats from its CLDR data,
nothing English left behind, and the legibility audit (sizes, contrast, nothing clipped) in
every language and both themes at 800x480, with the same text sizes as English."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from tests.i18n.test_python_texts import pseudo
from tests.page import scenes
from tests.page.stage import audit, catalog_for, show
from tests.page.test_glance import go_view, limits, views_of
from tests.support.browser import new_page

from claude_carthing.i18n.languages import LANGUAGES

pytestmark = pytest.mark.browser

# The fullest screens: six cards, banners, long panels, the sessions and the status list.
DENSE = ["live", "live-six", "stale", "demo", "sessions-many-stale", "not-configured",
         "unreachable", "no-data"]
# Words that are data, not the page's: names from Claude and the PC, units of the pseudo marks.
DATA = {"Sonnet", "Fable", "Opus", "Haiku", "Claude", "Code", "Max", "Pro", "claude", "carthing",
        "login", "serve", "install", "code", "http", "my", "project", "api", "notes", "website",
        "Cloudflare", "challenge", "Dial", "US", "English", "Demo"}  # the demo's plan; a language is named in itself


def pseudo_catalog(lang: str) -> dict[str, Any]:
    found = pseudo()
    data = catalog_for("en-GB")
    data.update(language="en-GB", messages=found.messages,
                plurals={k: list(v) for k, v in found.plurals.items()})
    return data


def unmarked(text: str) -> list[str]:
    depth, outside = 0, []
    for ch in text:
        if ch == "«":
            depth += 1
        elif ch == "»":
            depth = max(0, depth - 1)
            outside.append(" ")
        elif depth == 0:
            outside.append(ch)
    return [w for w in re.findall(r"[^\W\d_]{2,}", "".join(outside)) if w not in DATA]


@pytest.mark.parametrize("name", ["live", "live-six", "stale", "demo", "sessions", "not-configured",
                                  "unreachable", "waiting", "no-data", "loading"])
def test_no_word_on_the_page_bypasses_the_catalog(page, name) -> None:
    scene = scenes.build(time.time())[name]
    show(page, scene, query="lang=en-GB", catalogs=pseudo_catalog)
    for view in (*views_of(scene), "sessions"):
        if view != "overview" or scene.screen == "data":
            page.keyboard.press({"overview": "1", "detail": "2", "list": "3", "status": "4",
                                 "sessions": "5"}[view])
            page.wait_for_timeout(50)
        shown = page.inner_text("body")
        error = str(((scene.doc or {}).get("meta") or {}).get("last_error"))
        assert unmarked(shown.replace(error, "")) == [], f"{name} {view}: {shown}"
        assert page.get_attribute("#theme", "aria-label").startswith("«")


@pytest.mark.parametrize(("lang", "words"), [
    ("de", ["Woche · Sonnet", "Reset", "Zusatznutzung"]),
    ("ja", ["週間 · Sonnet", "リセット", "追加使用量"]),
    ("pl", ["Tydzień · Sonnet", "reset", "Dodatkowe użycie"]),
    ("tr", ["Canlı", "sıfırlama", "%"]),
])
def test_the_page_speaks_the_language_of_lang(page, lang, words) -> None:
    show(page, scenes.build(time.time())["live"], query=f"lang={lang}")
    shown = page.inner_text("body").casefold()  # labels are capitals by CSS
    for word in words:
        assert word.casefold() in shown
    assert "resets" not in shown and "extra usage" not in shown
    assert page.evaluate("document.documentElement.lang") == lang
    if lang == "tr":  # the sign before the number, as Turkish writes it
        assert page.inner_text(".card .pct").replace("\n", "").startswith("%")


def test_without_lang_the_page_follows_the_server_and_remembers_it(page) -> None:
    scene = scenes.build(time.time())["live"]
    scene.doc["meta"]["language"] = "ko"
    show(page, scene)
    page.wait_for_function("CC.i18n.language() === 'ko'")
    page.wait_for_function("document.body.innerText.indexOf('주간') >= 0")
    # Offline start: the last catalog comes from the browser's storage.
    scene.served = False
    page.route("**/api/i18n*", lambda route: route.abort("connectionrefused"))
    page.reload()
    page.wait_for_function("document.body.innerText.indexOf('주간') >= 0")


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_language_is_legible_and_whole_at_800x480(browser, lang, theme) -> None:
    problems = []
    for name in DENSE:
        scene = scenes.build(time.time())[name]
        page = new_page(browser)  # a fresh one: no cached reading from the scene before
        try:
            show(page, scene, theme=theme, query=f"lang={lang}")
            for view in views_of(scene):
                if view != "overview" or scene.screen == "data":
                    go_view(page, view)
                text, pct = limits(page)  # the same sizes as English: never smaller text
                problems += [f"{name} {view}: {p}" for p in audit(page, text, pct)["problems"]]
        finally:
            page.context.close()
    assert problems == [], f"{lang} {theme}:\n" + "\n".join(problems)
