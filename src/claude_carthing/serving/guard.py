"""Who may talk to the server: the client allow-list, the Host check, and browser origins."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.device.discovery import NCM_SUBNET, RNDIS_DEVICE
from claude_carthing.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_BODY_BYTES = 4096  # no endpoint reads a body today; POST /api/refresh sends none


def client_allowed(address: str | None, networks: list[Network]) -> bool:
    """Return True when a client address falls inside one of the allowed networks."""
    ip = _ip(address)
    return ip is not None and any(ip.version == net.version and ip in net for net in networks)


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


# What a page opened from file:// sends: `null`, or `file://` under the v3/v4.0 kiosk's
# --allow-file-access-from-files. On this PC, `null` is also any website's sandboxed frame.
FILE_ORIGINS = ("null", "file://")


IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def link_device(local: str | None) -> IP | None:
    """Return the v4.1 Car Thing's address for a connection that came in on `local`.

    The device hands the PC a lease in one /29 of 10.42.1.0/24 and is itself that block's
    `.8k+2`; a PC address elsewhere has no such device.
    """
    ip = _ip(local)
    if ip is None or ip not in NCM_SUBNET:
        return None
    return ipaddress.ip_network(f"{ip}/29", strict=False).network_address + 2


def recorded_devices(known_hosts: Path) -> set[IP]:
    """Return the device addresses `deploy` trusted (by address) in its known_hosts file."""
    try:
        text = known_hosts.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    found: set[IP] = set()
    for line in text.splitlines():
        names = line.split(maxsplit=1)[0] if line.strip() else ""
        for name in names.split(","):
            host = name[1:].split("]", 1)[0] if name.startswith("[") else name
            ip = _ip(host)
            if ip is not None:
                found.add(ip)
    return found


def _ip(address: str | None) -> IP | None:
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def own_address(address: str) -> bool:
    """True when `address` is one of this machine's (binding a socket to it succeeds)."""
    ip = _ip(address)
    if ip is None:
        return False
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((str(ip), 0))
    except OSError:
        return False
    return True


class Guard:
    """ASGI middleware applying the allow-list, the Host check, and who may read from a browser.

    A request without `Origin` (curl, scripts, the original relay) is served as the allow-list
    says. A browser page may read and POST when it is the server's own page (same origin), an
    origin configured in `cors_origins`, or a `file://` page (`null` / `file://`) on the Car
    Thing itself: 172.16.42.2 (v3/v4.0), the `.8k+2` of the /29 the connection came in on
    (v4.1), or an address `deploy` trusted; never loopback or one of this PC's own addresses.
    Every other browser request gets 403: on any other network, `null` is also any website's
    sandboxed frame.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.networks = settings.allowed_networks()
        self.own_address = own_address
        self.known_hosts = paths.device_dir() / "known_hosts"

    def is_device(self, address: str | None, local: str | None) -> bool:
        """True for the Car Thing itself: its address on the link, or one deploy recorded."""
        ip = _ip(address)
        if ip is None or ip.is_loopback or not client_allowed(str(ip), self.networks):
            return False
        # A page in this PC's browser calling the PC's USB address comes from that address.
        if ip == _ip(local) or self.own_address(str(ip)):
            return False
        return (ip == ipaddress.ip_address(RNDIS_DEVICE) or ip == link_device(local)
                or ip in recorded_devices(self.known_hosts))

    def browser_allowed(self, origin: str, scope: Scope, host: str | None) -> bool:
        """True when a page of `origin` may read and POST."""
        if origin in self.settings.cors_origins:
            return True
        if host and origin.lower() == f"http://{host.strip().lower()}":
            return True  # the server's own page
        if origin not in FILE_ORIGINS:
            return False
        client, server = scope.get("client"), scope.get("server")
        return self.is_device(client[0] if client else None, server[0] if server else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the server's own start and stop
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # WebSocket or anything newer: never served
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        client = scope.get("client")
        address = client[0] if client else None
        origin = headers.get("origin")
        host = headers.get("host")
        allowed = origin is None or self.browser_allowed(origin, scope, host)
        # Refusals carry CORS headers too, so the device's page can show why it was refused.
        cors = _cors_headers(origin) if origin is not None and allowed else []
        if not client_allowed(address, self.networks):
            await _reply(send, 403, {"error": "this address may not use the server; see "
                                              "`claude-carthing config set allow`"}, cors)
            return
        if _body_refused(headers):
            await _reply(send, 413, {"error": f"a request body may hold at most "
                                              f"{MAX_BODY_BYTES} bytes"},
                         [*cors, (b"connection", b"close")])
            return
        if not host_allowed(host, self.settings.allowed_hosts):
            await _reply(send, 421, {"error": "unknown Host header; see "
                                              "`claude-carthing config set allowed_hosts`"},
                         cors)
            return
        if not allowed:
            await _reply(send, 403, {"error": "this web page may not read the server; see "
                                              "docs/api.md (who may read what)"})
            return
        if scope["method"] == "OPTIONS" and origin is not None:
            await _reply(send, 204, None, cors)
            return
        if not cors:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + cors
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _body_refused(headers: dict[str, str]) -> bool:
    """True for a body over the limit, or one of no stated length (chunked)."""
    if "transfer-encoding" in headers:
        return True
    length = headers.get("content-length", "0").strip()
    return not length.isdigit() or int(length) > MAX_BODY_BYTES


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
