"""The one JSON envelope every endpoint answers with, and its ETag."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return the one JSON envelope every endpoint uses (UTF-8, never cached blindly)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    all_headers = {"Cache-Control": "no-cache", **(headers or {})}
    return Response(body, status, all_headers, media_type="application/json")


def _without_clock(doc: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in doc["meta"].items() if k not in ("server_time_ms",)}
    return {**doc, "meta": meta}


def etag(doc: dict[str, Any]) -> str:
    """Return an ETag over everything but the clock fields, which change every request."""
    if "accounts" in doc and "meta" not in doc:
        doc = {**doc, "server_time_ms": None,
               "accounts": [_without_clock(entry) for entry in doc["accounts"]]}
    else:
        doc = _without_clock(doc)
    material = json.dumps(doc, sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(material).hexdigest()[:32] + '"'


def answer(request: Request, doc: dict[str, Any]) -> Response:
    """Return `doc` with its ETag, or 304 when the browser has it already."""
    tag = etag(doc)
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
    return json_response(doc, headers={"ETag": tag})
