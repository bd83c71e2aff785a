"""The web layer: one route table; handlers ask the poller or the history and return JSON."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from claude_carthing import paths
from claude_carthing.account_scope import DEFAULT
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.history import History
from claude_carthing.i18n.languages import resolve
from claude_carthing.i18n.page_data import page_catalog
from claude_carthing.paths import page_dir
from claude_carthing.poller import Poller
from claude_carthing.serving.accounts import Board, Watched, per_account_routes
from claude_carthing.serving.approvals import SECRET_FILE, Approvals, serving_secret
from claude_carthing.serving.envelope import json_response
from claude_carthing.serving.guard import ASGIApp, Guard, Message, Receive, Scope, Send
from claude_carthing.serving.metrics import ReadCounter
from claude_carthing.serving.payload import health_document
from claude_carthing.settings import Settings

# No other site may frame the page (a key press there would answer a permission request) or
# run scripts in it: only its own files.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; object-src 'none'; "
                                 b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
]
PLACEHOLDER = """<!doctype html><meta charset="utf-8"><title>Claude usage</title>
<p>The dashboard page is not installed. The data is at <a href="/usage">/usage</a>.</p>"""


def create_app(poller: Poller, settings: Settings, history: History | None = None,
               reads: ReadCounter | None = None, sessions: Sessions | None = None,
               *, approvals: Approvals | None = None,
               accounts: Sequence[Watched] | None = None) -> Guard:
    """Return the ASGI application (routes wrapped in the access guard).

    `accounts`: every account shown, the default first (its poller is `poller`); without it,
    the one default account with `history`."""
    from claude_carthing.serving import approval_routes, claude_code

    page = page_dir()
    reads = reads or ReadCounter()
    sessions = sessions if sessions is not None else Sessions(poller.clock)
    approvals = approvals if approvals is not None else Approvals(settings.approval_timeout)
    index = page / "index.html"
    board = Board(accounts or [Watched(DEFAULT, poller, history, reads=reads)])
    usage, account_routes = per_account_routes(board, settings, sessions)
    language = resolve(settings.language)

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
        doc = health_document(poller.snapshot())
        if len(board.watched) > 1:  # the server's own fields once, at the top
            doc["accounts"] = [
                {"name": one.name, **{k: v for k, v in health_document(one.poller.snapshot())
                                      .items() if k not in ("status", "version")}}
                for one in board.watched]
        return json_response(doc)

    def metrics(_: Request) -> Response:
        from claude_carthing.serving.metrics import render

        body, content_type = render([(one.name, one.poller, one.reads) for one in board.watched])
        return Response(body, headers={"Cache-Control": "no-cache", "Content-Type": content_type})

    guard = Guard(Starlette(), settings)  # its app is set below; the approvals ask who is who
    routes = [
        Route("/", root, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET", "HEAD"]),
        *account_routes,
        Route("/api/i18n", translations, methods=["GET"]),
        *claude_code.routes(board, sessions, approvals.moved_on),
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
