"""Host header rules a one-line change would break, against the real server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.live_server import LiveServer


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer(demo=True, source=None) as live:
        yield live


def raw_get(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while True:
            piece = sock.recv(65536)
            if not piece:
                return answer
            answer += piece


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_a_request_without_a_host_header_is_served(server: LiveServer) -> None:
    # HTTP/1.0 clients such as BusyBox wget and nc-based relays send no Host at all.
    answer = raw_get(server.port, b"GET /health HTTP/1.0\r\n\r\n")
    assert status(answer) == 200
    assert b'"status": "ok"' in answer or b'"status":"ok"' in answer


def test_host_dot_local_of_this_machine_is_served(server: LiveServer) -> None:
    name = socket.gethostname().lower() + ".local"
    request = f"GET /health HTTP/1.1\r\nHost: {name}:{server.port}\r\nConnection: close\r\n\r\n"
    assert status(raw_get(server.port, request.encode())) == 200


def test_another_local_name_is_refused(server: LiveServer) -> None:
    # The contrast that makes the two above mean something: a name that is not ours is refused.
    request = (f"GET /health HTTP/1.1\r\nHost: not-{socket.gethostname().lower()}.local:"
               f"{server.port}\r\nConnection: close\r\n\r\n")
    assert status(raw_get(server.port, request.encode())) == 421
