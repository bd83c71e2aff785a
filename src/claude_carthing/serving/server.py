"""The web layer: one route table; handlers ask the poller or the history and return JSON."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from claude_carthing import paths
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.history import History
from claude_carthing.i18n.languages import resolve
from claude_carthing.i18n.page_data import page_catalog
from claude_carthing.paths import page_dir
from claude_carthing.poller import Poller
from claude_carthing.serving.approvals import SECRET_FILE, Approvals, serving_secret
from claude_carthing.serving.guard import ASGIApp, Guard, Message, Receive, Scope, Send
from claude_carthing.serving.metrics import ReadCounter
from claude_carthing.serving.payload import health_document, usage_document
from claude_carthing.settings import Settings

# No other site may frame the page (a key press there would answer a permission request) or
# run scripts in it: only its own files.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; object-src 'none'; "
                                 b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
]
MAX_HISTORY_HOURS = 24 * 40
PROJECTION_HOURS = 25  # the weekly pace looks back a day
PLACEHOLDER = """<!doctype html><meta charset="utf-8"><title>Claude usage</title>
<p>The dashboard page is not installed. The data is at <a href="/usage">/usage</a>.</p>"""


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return the one JSON envelope every endpoint uses (UTF-8, never cached blindly)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    all_headers = {"Cache-Control": "no-cache", **(headers or {})}
    return Response(body, status, all_headers, media_type="application/json")


def _etag(doc: dict[str, Any]) -> str:
    """Return an ETag over everything but the clock fields, which change every request."""
    meta = {k: v for k, v in doc["meta"].items() if k not in ("server_time_ms",)}
    material = json.dumps({**doc, "meta": meta}, sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(material).hexdigest()[:32] + '"'


def create_app(poller: Poller, settings: Settings, history: History | None = None,
               reads: ReadCounter | None = None, sessions: Sessions | None = None,
               *, approvals: Approvals | None = None) -> Guard:
    """Return the ASGI application (routes wrapped in the access guard)."""
    from claude_carthing.serving import approval_routes, claude_code

    page = page_dir()
    reads = reads or ReadCounter()
    sessions = sessions if sessions is not None else Sessions(poller.clock)
    approvals = approvals if approvals is not None else Approvals(settings.approval_timeout)
    index = page / "index.html"

    recent: dict[str, Any] = {"at": None, "series": {}}
    language = resolve(settings.language)

    def recent_series(snap: Any) -> dict[str, Any]:
        # The projections need the last day of readings; it changes only with a new reading.
        if history is not None and snap.last_success_at != recent["at"]:
            recent["series"] = history.series(poller.clock() - PROJECTION_HOURS * 3600)
            recent["at"] = snap.last_success_at
        return dict(recent["series"])

    def usage(request: Request) -> Response:
        snap = poller.snapshot()
        doc = usage_document(snap, poller.clock(), series=recent_series(snap),
                             night=settings.night)
        doc["meta"]["language"] = language  # the page speaks it unless ?lang= says otherwise
        doc["sessions"] = sessions.to_json()
        tag = _etag(doc)
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
        return json_response(doc, headers={"ETag": tag})

    def root(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            if index.is_file():
                return FileResponse(index, headers={"Cache-Control": "no-cache"})
            return HTMLResponse(PLACEHOLDER)
        return usage(request)

    def translations(request: Request) -> Response:
        wanted = request.query_params.get("lang") or language
        return json_response(page_catalog(wanted))

    def health(_: Request) -> Response:
        return json_response(health_document(poller.snapshot()))

    def history_series(request: Request) -> Response:
        try:
            hours = float(request.query_params.get("hours", "24"))
        except ValueError:
            return json_response({"error": "hours must be a number"}, 400)
        if math.isnan(hours):  # float() accepts "nan", which slips through min/max
            return json_response({"error": "hours must be a number"}, 400)
        hours = float(min(max(hours, 0.0), MAX_HISTORY_HOURS))
        shown: float | int = int(hours) if hours.is_integer() else hours
        window = request.query_params.get("window") or None
        if history is None:
            return json_response({"hours": shown, "series": {}})
        since = poller.clock() - hours * 3600
        series = history.series(since, window)
        return json_response({"hours": shown, "series": series})

    def refresh(_: Request) -> Response:
        accepted, wait = poller.request_refresh()
        if accepted:
            snap = poller.snapshot()
            next_ms = int(snap.next_poll_at * 1000) if snap.next_poll_at else None
            return json_response({"accepted": True, "next_poll_at_ms": next_ms}, 202)
        retry = max(1, int(wait + 0.999))
        return json_response(
            {"accepted": False, "retry_in_s": retry}, 429, {"Retry-After": str(retry)}
        )

    def metrics(_: Request) -> Response:
        from claude_carthing.serving.metrics import render

        body, content_type = render(poller, reads)
        return Response(body, headers={"Cache-Control": "no-cache", "Content-Type": content_type})

    guard = Guard(Starlette(), settings)  # its app is set below; the approvals ask who is who
    routes = [
        Route("/", root, methods=["GET", "HEAD"]),
        Route("/usage", usage, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET", "HEAD"]),
        Route("/api/history", history_series, methods=["GET"]),
        Route("/api/refresh", refresh, methods=["POST"]),
        Route("/api/i18n", translations, methods=["GET"]),
        *claude_code.routes(poller, sessions, approvals.moved_on),
        *approval_routes.routes(approvals, serving_secret(paths.home_dir() / SECRET_FILE),
                                guard.is_device),
        Mount("/", StaticFiles(directory=page, check_dir=False), name="page"),
    ]
    guard.app = framing_refused(Starlette(routes=routes))
    return guard


def framing_refused(app: ASGIApp) -> ASGIApp:
    """Add headers that keep every page of ours out of other sites' frames and scripts."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await app(scope, receive, send_with if scope["type"] == "http" else send)

    return wrapped
