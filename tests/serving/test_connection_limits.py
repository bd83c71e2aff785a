"""The per-address connection cap and the deadline, at their exact edges (real server, loopback).

The cap is `connections.MAX_PER_ADDRESS`: that many connections are all served; the next one
gets an answer (503 with Retry-After), not a silent cut; an idle keep-alive connection is
closed by the request deadline, well before uvicorn's own 10 s keep-alive timeout.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from claude_carthing.serving import connections
from tests.support.live_server import LiveServer

DEADLINE_S = 1.0


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setattr(connections, "REQUEST_DEADLINE_S", DEADLINE_S)
    with LiveServer(demo=True, source=None) as live:
        yield live


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(4096)
        if not piece:
            break
        data += piece
    return data


def get_health(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return read_head(sock)


def open_up_to_the_cap(port: int) -> list[socket.socket]:
    socks = [connect(port) for _ in range(connections.MAX_PER_ADDRESS)]
    time.sleep(0.2)  # every connection accepted and counted before the next step
    return socks


def test_exactly_the_cap_of_open_connections_are_all_served(server: LiveServer) -> None:
    socks = open_up_to_the_cap(server.port)
    try:
        heads = [get_health(sock) for sock in socks]  # all open at once, each asks in turn
        assert [h.split(b" ", 2)[1] for h in heads] == [b"200"] * connections.MAX_PER_ADDRESS
    finally:
        for sock in socks:
            sock.close()


def test_one_past_the_cap_is_told_503_with_retry_after(server: LiveServer) -> None:
    socks = open_up_to_the_cap(server.port)
    try:
        with connect(server.port) as extra:
            head = read_head(extra)  # answered at once, without sending anything
        assert head.startswith(b"HTTP/1.1 503 ")
        assert b"retry-after: 5" in head.lower()
        # Closing one of the capped connections makes room again.
        socks.pop().close()
        time.sleep(0.2)
        with connect(server.port) as again:
            assert get_health(again).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in socks:
            sock.close()


def test_an_idle_keep_alive_connection_is_closed_by_the_deadline(
        server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The deadline armed when the connection opened is made long, so only a deadline armed
    # afresh when the response ends can close the idle connection this soon.
    monkeypatch.setattr(connections, "REQUEST_DEADLINE_S", 60.0)
    with connect(server.port) as sock:
        time.sleep(0.2)  # accepted, its first deadline armed (60 s)
        monkeypatch.setattr(connections, "REQUEST_DEADLINE_S", DEADLINE_S)
        assert get_health(sock).startswith(b"HTTP/1.1 200 ")
        start = time.monotonic()  # the rest of the body, if any, is read below until EOF
        sock.settimeout(8)
        try:
            while sock.recv(4096):
                pass
        except TimeoutError:
            pytest.fail("the idle connection was still open 8 s after its response")
        except OSError:
            pass
        # The deadline (1 s here), not uvicorn's 10 s keep-alive timeout, closed it.
        assert time.monotonic() - start < DEADLINE_S + 2
