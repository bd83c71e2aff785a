"""Resilience fixtures: the real server over a socket, and raw HTTP helpers."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator

import pytest

from tests.support.live_server import LiveServer


@pytest.fixture
def demo_server() -> Iterator[LiveServer]:
    """The real server (uvicorn + our app) on loopback with demo data: no upstream needed."""
    with LiveServer(demo=True, source=None) as server:
        yield server


def raw_exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes on a new connection; return everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # the server may refuse to read all of a huge request; its answer still counts
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def status_of(response: bytes) -> int:
    """Return the status code of the first response in raw bytes."""
    assert response.startswith(b"HTTP/1.1 "), response[:80]
    return int(response.split(b" ", 2)[1])


def get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    """One well-formed GET on a fresh connection: (status, body)."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    response = raw_exchange(port, request)
    return status_of(response), response.split(b"\r\n\r\n", 1)[1]


def healthy(port: int) -> bool:
    """True when /health answers 200 with a JSON body saying ok."""
    status, body = get(port, "/health")
    return status == 200 and json.loads(body)["status"] == "ok"
