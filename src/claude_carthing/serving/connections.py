"""Connection-level limits: who may hold a connection at all, how many each address may hold,
and how long a connection may take to send a request.

These act when a connection is accepted, before uvicorn counts it against `limit_concurrency`:
a flood of idle or trickling (slowloris) connections from one address, or from any address
outside the allow-list, can no longer make the server answer 503 to the Car Thing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections import Counter
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from claude_carthing.serving.guard import client_allowed

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REQUEST_DEADLINE_S = 10.0  # a whole request, head and body, must arrive within this
MAX_PER_ADDRESS = 64  # a browser opens at most 6 per host; pages, tools and benches fit
LINGER_S = 1.0  # a refused connection is read and dropped this long, then cut
LOG_EVERY_S = 60.0


def _refusal(status: str, error: str, extra: str = "") -> bytes:
    body = json.dumps({"error": error}).encode()
    head = (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}"
            f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


REFUSALS = {
    "foreign": _refusal("403 Forbidden", "this address may not use the server; see "
                                         "`claude-carthing config set allow`"),
    "busy": _refusal("503 Service Unavailable", "too many connections from this address",
                     "retry-after: 5\r\n"),
}


LOOPBACK = "loopback"


def address_key(address: str) -> str:
    """Return what the per-address cap counts `address` as.

    All of loopback is one address (Linux routes the whole of 127.0.0.0/8 to this machine, so
    one local program could otherwise pick 16 million), and IPv6 counts per /64 (one host may
    hold any number of addresses in its own /64).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        else:
            return LOOPBACK if ip.is_loopback else str(
                ipaddress.ip_network(f"{ip}/64", strict=False))
    return LOOPBACK if ip.is_loopback else str(ip)


class ConnectionLimits:
    """Counts open connections per source address and decides, at accept, who is served."""

    def __init__(self, networks: list[Network], per_address: int = MAX_PER_ADDRESS) -> None:
        self.networks = networks
        self.per_address = per_address
        self.open: Counter[str] = Counter()  # every open connection, refused ones included
        self._logged: dict[tuple[str, str], float] = {}

    def admit(self, address: str) -> str | None:
        """Count a new connection; return None to serve it, else why not ("foreign", "busy")."""
        key = address_key(address)
        self.open[key] += 1
        if not client_allowed(address, self.networks):
            self._log_once(key, "foreign")
            return "foreign"
        if self.open[key] > self.per_address:
            self._log_once(key, "busy")
            return "busy"
        return None

    def count(self, address: str) -> int:
        """Return how many connections `address` (as the cap counts it) holds open."""
        return self.open[address_key(address)]

    def release(self, address: str) -> None:
        """Forget one closed connection of `address`."""
        key = address_key(address)
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]

    def _log_once(self, address: str, why: str) -> None:
        now = time.monotonic()
        if now - self._logged.get((address, why), -LOG_EVERY_S) < LOG_EVERY_S:
            return
        if len(self._logged) > 1000:  # many addresses: forget, never grow without bound
            self._logged.clear()
        self._logged[(address, why)] = now
        if why == "foreign":
            log.warning("Refused connections from %s: not in the allow-list (`claude-carthing "
                        "config set allow` adds a network).", address)
        else:
            log.warning("Refusing connections from %s: more than %d open at once.", address,
                        self.per_address)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1, plus the connection limits and a deadline for each request head.

    uvicorn arms no timer until a first response, so idle or trickling (slowloris) connections
    lived forever and, past `limit_concurrency`, made the server answer 503 to the Car Thing.
    A refused connection gets a one-line answer, is read and dropped for `LINGER_S` (so the
    client sees the answer rather than a reset) and never reaches uvicorn's connection count.
    """

    limits: ClassVar[ConnectionLimits | None] = None
    _deadline: asyncio.TimerHandle | None = None
    _address = ""
    _refused = False
    _counted = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Refuse foreign or excess connections at once; start the clock for the others."""
        peer = transport.get_extra_info("peername")
        self._address = str(peer[0]) if peer else ""
        why = self.limits.admit(self._address) if self.limits is not None else None
        self._counted = self.limits is not None
        if why is not None:
            self._refused = True
            self._refuse(transport, why)
            return
        super().connection_made(transport)
        self._arm_deadline()

    def _refuse(self, transport: asyncio.Transport, why: str) -> None:
        self.transport = transport
        limits = self.limits
        if limits is not None and limits.count(self._address) > 2 * limits.per_address:
            transport.abort()  # far past the cap: no answer, nothing kept
            return
        transport.write(REFUSALS[why])
        if transport.can_write_eof():
            transport.write_eof()
        self._deadline = self.loop.call_later(LINGER_S, transport.abort)

    def data_received(self, data: bytes) -> None:
        """Serve admitted connections; drop what a refused one sends."""
        if not self._refused:
            super().data_received(data)

    def eof_received(self) -> None:
        """Close a refused connection once its client is done; else as uvicorn does."""
        if self._refused:
            self.transport.close()
            return
        super().eof_received()

    def _arm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_DEADLINE_S, self._deadline_passed)

    def _deadline_passed(self) -> None:
        # IDLE: no request head arrived since we armed; SEND_BODY: its body is still coming.
        if (self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
                and not self.transport.is_closing()):
            self.transport.close()

    def on_response_complete(self) -> None:
        """Start the clock for the next request, once this one has fully arrived."""
        # An answer can go out before the request's body is in (no endpoint reads a body):
        # the clock that runs since the request began keeps running for the rest of it.
        body_pending = self.conn.their_state is h11.SEND_BODY
        super().on_response_complete()
        if not self.transport.is_closing() and not body_pending:
            self._arm_deadline()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        """Never hand the connection to another protocol: its count would never come back."""
        self.send_400_response("WebSocket is not served here")

    def _unsupported_upgrade_warning(self) -> None:
        """Say nothing: any web page can ask for an upgrade, as often as it likes."""

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the timer and the count with the connection (once, however it ended)."""
        if self._deadline is not None:
            self._deadline.cancel()
        if self._counted and self.limits is not None:
            self._counted = False
            self.limits.release(self._address)
        if not self._refused:
            super().connection_lost(exc)


def protocol_for(networks: list[Network], per_address: int = MAX_PER_ADDRESS) -> type[Any]:
    """Return a protocol class bound to fresh limits for one server."""
    limits = ConnectionLimits(networks, per_address)
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})
