"""Who may talk to the server: client address allow-list, Host check, CORS, and CSRF."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from claude_carthing.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_allowed(address: str | None, networks: list[Network]) -> bool:
    """Return True when a client address falls inside one of the allowed networks."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


def host_name(header: str) -> str:
    """Return the host part of a Host header (no port, no IPv6 brackets), lower-cased."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(header: str | None, extra: tuple[str, ...]) -> bool:
    """Accept IP literals, localhost, this machine's name and configured names (no rebinding)."""
    if not header:
        return True  # HTTP/1.0 clients such as BusyBox tools may send none
    name = host_name(header)
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return True
    own = socket.gethostname().lower()
    allowed = {"localhost", own, f"{own}.local", *(h.lower() for h in extra)}
    return name in allowed


def origin_allowed(origin: str, settings: Settings) -> bool:
    """True for `null` (a page from file://, as on the device) and configured origins."""
    return origin == "null" or origin in settings.cors_origins


class Guard:
    """ASGI middleware applying the allow-list, the Host check, CORS and CSRF rules."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.networks = settings.allowed_networks()
        self.loopback = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        client = scope.get("client")
        address = client[0] if client else None
        origin = headers.get("origin")
        cors = origin is not None and origin_allowed(origin, self.settings)
        # Refusals carry CORS headers too, so the device's page can show why it was refused.
        refusal_cors = _cors_headers(origin) if cors else []
        if not client_allowed(address, self.networks):
            await _reply(send, 403, {"error": "this address may not use the server; see "
                                              "`claude-carthing config set allow`"}, refusal_cors)
            return
        if not host_allowed(headers.get("host"), self.settings.allowed_hosts):
            await _reply(send, 421, {"error": "unknown Host header; see "
                                              "`claude-carthing config set allowed_hosts`"},
                         refusal_cors)
            return
        if (origin == "null" and scope["method"] not in ("GET", "HEAD", "OPTIONS")
                and client_allowed(address, self.loopback)):
            # A page from file:// on the device comes over USB. On this PC, "null" is what a
            # sandboxed frame of any website sends: it may read, but not make us poll Claude.
            cors = "null" in self.settings.cors_origins
        same_origin = origin is not None and origin.split("://", 1)[-1] == headers.get("host")
        if scope["method"] == "OPTIONS" and origin is not None:
            await _reply(send, 204 if cors else 403, None, _cors_headers(origin) if cors else [])
            return
        if scope["method"] not in ("GET", "HEAD") and origin and not (cors or same_origin):
            await _reply(send, 403, {"error": "cross-site request refused"})
            return
        if not cors:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _cors_headers(origin)
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _cors_headers(origin: str | None) -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", (origin or "null").encode("latin-1")),
        (b"access-control-allow-methods", b"GET, POST"),
        (b"access-control-expose-headers", b"ETag"),
        (b"access-control-max-age", b"600"),
        (b"vary", b"Origin"),
    ]


async def _reply(
    send: Send, status: int, body: Any, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    data = b"" if body is None else json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status,
                "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": data})
