"""The routes of the approvals: the hook's held request, the pending list, the answer.

Only the Car Thing itself (its `file://` page, from its address on the link) and the server's
own page opened on this PC's loopback may read the requests or answer them, and only with the
secret. The hook's request comes from a program on this PC, as every hook event does.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from claude_carthing.serving.approvals import Approvals, same_secret
from claude_carthing.serving.claude_code import REFUSED, from_this_pc, json_answer, json_object
from claude_carthing.serving.guard import FILE_ORIGINS, _ip, host_name

MAX_BODY = 8192
DISCONNECT_CHECK_S = 0.25
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
NOT_YOURS = {"error": "only the Car Thing and this server's own page may answer permission "
                      "requests"}


def proof(secret: str, nonce: str, request_id: str, decision: str) -> str:
    """Return what shows the hook that this decision comes from its own server: an HMAC, with
    the secret only the user can read, of the hook's fresh nonce, the request and the decision."""
    message = f"{nonce}:{request_id}:{decision}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def answerer(request: Request, is_device: Callable[[str | None, str | None], bool]) -> str | None:
    """Return "device" or "page" for who may answer, None for everyone else."""
    origin = request.headers.get("origin")
    client = request.client.host if request.client else None
    server = request.scope.get("server")
    local = server[0] if server else None
    if origin in FILE_ORIGINS:
        return "device" if is_device(client, local) else None
    ip = _ip(client)
    host = request.headers.get("host")
    if origin is None or ip is None or not ip.is_loopback or not host:
        return None
    if origin.lower() != f"http://{host.strip().lower()}":
        return None
    if host_name(host) not in LOOPBACK_NAMES:
        return None
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return None
    return "page"


def routes(approvals: Approvals, secret: str,
           is_device: Callable[[str | None, str | None], bool]) -> list[Route]:
    """Return the approvals' routes."""

    async def ask(request: Request) -> Response:
        """The hook's request: held until a decision, the timeout, or the hook goes away."""
        if not from_this_pc(request):
            return json_answer(REFUSED, 403)
        body = await json_object(request, MAX_BODY, json_type=False)
        if body is None:
            return json_answer({"error": "expected a JSON object"}, 400)
        item = approvals.add(body)
        if item is None:
            return json_answer({})
        while item.outcome is None:
            left = item.expires - approvals.monotonic()
            if left <= 0:
                approvals.timed_out(item)
                break
            try:
                await asyncio.wait_for(item.done.wait(), min(left, DISCONNECT_CHECK_S))
            except asyncio.TimeoutError:
                if await request.is_disconnected():
                    approvals.gone(item)
        if item.outcome in ("allow", "deny"):
            nonce = body.get("nonce")
            if not isinstance(nonce, str) or not 16 <= len(nonce) <= 100:
                return json_answer({"id": item.id})  # a hook that cannot check us gets no decision
            return json_answer({"id": item.id, "decision": item.outcome,
                                "proof": proof(secret, nonce, item.id, item.outcome)})
        return json_answer({"id": item.id})

    async def secret_for_page(request: Request) -> Response:
        """The server's own page on loopback learns the secret (a same-origin POST only)."""
        if answerer(request, is_device) != "page":
            return json_answer(NOT_YOURS, 403)
        return json_answer({"secret": secret})

    async def pending(request: Request) -> Response:
        if answerer(request, is_device) is None:
            return json_answer(NOT_YOURS, 403)
        body = await json_object(request, MAX_BODY, json_type=False)
        if body is None or not same_secret(body.get("secret"), secret):
            return json_answer({"error": "a wrong or missing secret"}, 403)
        return json_answer({"requests": [p.to_json() for p in approvals.pending()],
                            "timeout_s": approvals.timeout_s})

    async def answer(request: Request) -> Response:
        who = answerer(request, is_device)
        if who is None:
            return json_answer(NOT_YOURS, 403)
        body = await json_object(request, MAX_BODY, json_type=False)
        if body is None or not same_secret(body.get("secret"), secret):
            return json_answer({"error": "a wrong or missing secret"}, 403)
        request_id, decision = body.get("id"), body.get("decision")
        if not isinstance(request_id, str) or not isinstance(decision, str):
            return json_answer({"error": "expected an id and a decision"}, 400)
        done, why = approvals.answer(request_id, decision, who)
        if not done:
            return json_answer({"error": why}, 409)
        return json_answer({"ok": True})

    return [
        Route("/api/claude-code/permission", ask, methods=["POST"]),
        Route("/api/approvals/secret", secret_for_page, methods=["POST"]),
        Route("/api/approvals/pending", pending, methods=["POST"]),
        Route("/api/approvals/answer", answer, methods=["POST"]),
    ]
