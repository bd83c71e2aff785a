"""Put the page into a scene in Playwright: its files from the checkout, the server's documents
from tests/page/scenes.py, all answered inside the browser (nothing leaves it)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from tests.page.files import PAGE_DIR
from tests.page.scenes import Scene

BASE = "http://127.0.0.1:9"  # never contacted: every request is answered by the routes below
AUDIT = (Path(__file__).with_name("audit.js")).read_text(encoding="utf-8")


def _json(route: Any, data: Any, status: int = 200) -> None:
    route.fulfill(status=status, body=json.dumps(data), content_type="application/json",
                  headers={"Access-Control-Allow-Origin": "*"})


def catalog_for(lang: str) -> dict[str, Any]:
    """Return what the server's /api/i18n sends (the tests' server speaks British English)."""
    from claude_carthing.i18n.page_data import page_catalog

    return page_catalog(lang or "en-GB")


def _api(route: Any, scene: Scene, path: str, query: str) -> None:
    """Answer /api/accounts (several accounts; 404 with one) and /api/history (per account)."""
    if not scene.served:
        route.abort("connectionrefused")
    elif path.startswith("/api/accounts"):
        body = scene.overview()
        _json(route, body or {"error": "not found"}, 200 if body else 404)
    else:
        _json(route, {"hours": 24, "series": scene.history(query)})


def serve(page: Any, scene: Scene, held: list[Any] | None = None,
          catalogs: Any = None) -> None:
    """Answer the page's requests: files from the checkout, /usage, /api/accounts and history
    from the scene, /api/i18n from the catalogs (`catalogs(lang)`, default: the server's)."""

    def handle(route: Any) -> None:
        path, _, query = route.request.url[len(BASE):].partition("?")
        if path.startswith("/api/i18n"):
            from urllib.parse import parse_qs

            lang = parse_qs(query).get("lang", [""])[0]
            _json(route, (catalogs or catalog_for)(lang))
        elif path.startswith("/usage"):
            if scene.name == "loading" and held is not None:
                held.append(route)  # never answered: the page stays on "Connecting…"
            elif scene.served and scene.doc is not None:
                _json(route, *reversed(scene.usage(query)))
            else:
                route.abort("connectionrefused")
        elif path.startswith(("/api/accounts", "/api/history")):
            _api(route, scene, path, query)
        elif path.startswith("/api/refresh"):
            _json(route, {"accepted": False, "retry_in_s": 23})
        else:
            file = PAGE_DIR / (path.strip("/") or "index.html")
            if file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "text/plain"
                route.fulfill(status=200, body=file.read_bytes(), content_type=kind)
            else:
                route.fulfill(status=404, body="")

    page.route(BASE + "/**", handle)


def show(page: Any, scene: Scene, *, theme: str = "dark", view: str | None = None,
         query: str = "", catalogs: Any = None) -> None:
    """Open the page in `scene` (theme, start view) and wait until it shows it."""
    held: list[Any] = []
    serve(page, scene, held, catalogs)
    q = f"poll=600&theme={theme}" + (f"&view={view}" if view else "") + (f"&{query}" if query else "")
    if scene.cached:
        page.goto(f"{BASE}/?{q}")
        page.wait_for_function("document.getElementById('main').dataset.screen === 'data'")
        scene.served = False
        page.reload()
        page.wait_for_function("document.body.dataset.mode === 'stale'")
        scene.served = True
        return
    page.goto(f"{BASE}/?{q}")
    lang = next((p[5:] for p in query.split("&") if p.startswith("lang=")), "")
    if lang:  # the words of the language are in before anything is measured
        page.wait_for_function(f"CC.i18n && CC.i18n.language() === {lang!r}")
    if scene.screen == "loading":
        page.wait_for_function("window.CC && CC.app")
    else:
        page.wait_for_function(f"document.getElementById('main').dataset.screen === '{scene.screen}'")
    if scene.screen == "data":
        # The history arrives just after the usage: wait for its redraw.
        page.wait_for_function("CC.app.state.history && Object.keys(CC.app.state.history).length >= "
                               f"{1 if scene.series else 0}")
    page.wait_for_timeout(50)


def audit(page: Any, min_text: float, min_pct: float) -> dict[str, Any]:
    """Run tests/page/audit.js on the page: every text's size and contrast, and what is cut off."""
    return dict(page.evaluate(f"({AUDIT})({min_text}, {min_pct})"))
