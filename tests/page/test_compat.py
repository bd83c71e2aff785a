"""The page's JS parses as ES2017 and its CSS uses only what Chrome 69 (Car Thing v3/v4.0) has."""

from __future__ import annotations

import pytest
from tests.page.compat import css_problems, js_problems
from tests.page.files import PAGE_DIR

SCRIPTS = sorted(p.name for p in PAGE_DIR.glob("*.js"))


def test_page_has_its_files() -> None:
    html = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
    assert SCRIPTS, "the page has scripts"
    for name in [*SCRIPTS, "style.css"]:
        assert f'"{name}"' in html, f"index.html loads {name} by a relative URL"
    assert "<script>" not in html, "no inline script: everything is checked here"


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_is_es2017_without_newer_builtins(name: str) -> None:
    assert js_problems((PAGE_DIR / name).read_text(encoding="utf-8")) == []


def test_stylesheet_is_chrome69_safe_and_animates_only_on_the_compositor() -> None:
    assert css_problems((PAGE_DIR / "style.css").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("src", [
    "var a = b?.c;",
    "var a = b ?? c;",
    "class A { #x = 1 }",
    "await fetch('/usage');",
    "try { f(); } catch { g(); }",
    "s.replaceAll('a', 'b');",
    "Promise.allSettled([p]);",
    "Object.fromEntries(pairs);",
    "node.innerHTML = label;",
])
def test_js_checker_rejects_what_chrome69_lacks(src: str) -> None:
    assert js_problems(src), f"the checker must reject: {src}"


def test_js_checker_accepts_es2017() -> None:
    assert js_problems("async function f() { const {a, b} = await g(); return [...a, b]; }") == []


@pytest.mark.parametrize("src", [
    ".a { display: flex; gap: 4px; }",
    ".a { inset: 0; }",
    ".a { aspect-ratio: 16 / 9; }",
    ".a:is(.b, .c) { color: red; }",
    ".a { backdrop-filter: blur(4px); }",
    ".a { width: min(10px, 5vw); }",
    ".a { height: 100dvh; }",
    "@keyframes p { from { box-shadow: 0 0 0 red; } to { box-shadow: 0 0 20px red; } }",
    ".a { transition: width 1s; }",
    ".a { color: red; ",
])
def test_css_checker_rejects_what_chrome69_lacks_or_repaints(src: str) -> None:
    assert css_problems(src), f"the checker must reject: {src}"


def test_css_checker_accepts_grid_gap_and_opacity_animation() -> None:
    ok = ".g { display: grid; grid-gap: 8px; min-height: 0; }\n@keyframes k { to { opacity: 0.5; } }"
    assert css_problems(ok) == []
