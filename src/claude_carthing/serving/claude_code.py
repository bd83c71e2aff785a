"""The server's end of Claude Code's feed: status line readings, hook events, the sessions.

Only this PC's own programs may post: a request from a browser (it always carries `Origin`) or
from another machine is refused, whatever the allow-list says. Nothing secret is posted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from claude_carthing.accounts import for_config_dir
from claude_carthing.claude_code.readings import SOURCE, reading_time, windows_from_statusline
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.poller import Snapshot
from claude_carthing.projection import level
from claude_carthing.serving.accounts import Board, Watched
from claude_carthing.serving.guard import _ip, own_address

MAX_BODY = 64 * 1024
REFUSED = {"error": "only Claude Code on this computer may post here"}


def line_parts(snap: Snapshot) -> list[list[str]]:
    """Return the status line's parts: 5-hour, weekly and the fullest per-model weekly window."""
    usage = snap.usage
    if usage is None:
        return []
    parts = []
    for wid, short in (("five_hour", "5h"), ("seven_day", "wk")):
        window = usage.window(wid)
        if window is not None:
            parts.append([f"{short} {round(window.utilization)}%",
                          level(window.utilization, window.severity)])
    models = [w for w in usage.windows if w.group == "weekly" and w.model]
    if models:
        top = max(models, key=lambda w: w.utilization)
        parts.append([f"{top.model} {round(top.utilization)}%", level(top.utilization,
                                                                       top.severity)])
    return parts


def from_this_pc(request: Request) -> bool:
    """True for a request from a program on this PC that is not a web page."""
    if "origin" in request.headers or "sec-fetch-site" in request.headers:
        return False
    client = _ip(request.client.host if request.client else None)
    if client is None:
        return False
    if client.is_loopback:
        return True
    server = request.scope.get("server")
    return server is not None and client == _ip(server[0]) and own_address(str(client))


async def json_object(request: Request, limit: int = MAX_BODY, *,
                      json_type: bool = True) -> dict[str, Any] | None:
    """Return the body as a JSON object of at most `limit` bytes, None for anything else.
    `json_type`: require `Content-Type: application/json` (the Car Thing's page sends
    text/plain, which needs no preflight)."""
    if json_type and request.headers.get("content-type", "").split(";")[0].strip() != \
            "application/json":
        return None
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            return None
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def json_answer(data: Any, status: int = 200) -> Response:
    """Return `data` as a compact JSON response that no cache keeps."""
    return Response(json.dumps(data, separators=(",", ":")), status,
                    {"Cache-Control": "no-store"}, media_type="application/json")


def routes(board: Board, sessions: Sessions,
           moved_on: Callable[[Any, Any, Any], None] | None = None) -> list[Route]:
    """Return the routes of Claude Code's feed and of the sessions."""
    poller = board.default.poller

    def sender(body: dict[str, Any]) -> Watched | None:
        """The account whose Claude Code sent `body` (by its config folder), None if nobody's."""
        folder = body.get("config_dir")
        account = for_config_dir(folder if isinstance(folder, str) else None,
                                 [one.account for one in board.watched])
        return None if account is None else board.find(account.name)

    def named(body: dict[str, Any], one: Watched | None) -> dict[str, Any]:
        body.pop("config_dir", None)  # a path on this PC: not for the page
        if len(board.watched) > 1:
            body["account"] = one.name if one is not None else None
        return body

    async def statusline(request: Request) -> Response:
        if not from_this_pc(request):
            return json_answer(REFUSED, 403)
        body = await json_object(request)
        if body is None:
            return json_answer({"error": "expected a JSON object"}, 400)
        one = sender(body)
        now = poller.clock()
        windows = windows_from_statusline(body.get("rate_limits"), now)
        if windows and one is not None:  # off the event loop: the history and listeners may wait
            await run_in_threadpool(one.poller.take_local, windows,
                                    reading_time(body.get("at_ms"), now), SOURCE)
        sessions.on_statusline(named(body, one))
        shown = one.poller.snapshot() if one is not None else None
        return json_answer({"parts": line_parts(shown) if shown is not None else []})

    async def hook(request: Request) -> Response:
        if not from_this_pc(request):
            return json_answer(REFUSED, 403)
        body = await json_object(request)
        if body is None:
            return json_answer({"error": "expected a JSON object"}, 400)
        sessions.on_hook(named(body, sender(body)))
        if moved_on is not None:  # a later event of a session ends its waiting permission request
            moved_on(body.get("session_id"), body.get("hook_event_name"), body.get("at_ms"))
        return json_answer({})

    def listing(_: Request) -> Response:
        return json_answer({"sessions": sessions.to_json(),
                            "now_ms": int(poller.clock() * 1000)})

    return [
        Route("/api/claude-code/statusline", statusline, methods=["POST"]),
        Route("/api/claude-code/hook", hook, methods=["POST"]),
        Route("/api/sessions", listing, methods=["GET", "HEAD"]),
    ]
