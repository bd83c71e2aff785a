"""Slow, idle and numerous connections: the Car Thing is still answered."""

from __future__ import annotations

import contextlib
import http.client
import socket
import statistics
import time
from collections.abc import Iterator

import pytest

from claude_carthing.serving import connections
from tests.resilience.conftest import healthy
from tests.support.live_server import LiveServer

DEADLINE_S = 1.0
MORE_THAN_THE_CONNECTION_LIMIT = 230  # past the per-address cap (64) and limit_concurrency (200)


@pytest.fixture
def quick_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The real server with the request deadline shortened from 10 s to 1 s."""
    monkeypatch.setattr(connections, "REQUEST_DEADLINE_S", DEADLINE_S)
    with LiveServer(demo=True, source=None) as server:
        yield server


def open_connections(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.05)
    try:
        sock.recv(1024)  # b"" (closed), or a last 4xx/5xx answer before closing
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def health_status(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status
    except OSError:  # refused at accept while this very address floods: not an answer yet
        return 0
    finally:
        conn.close()


def test_a_few_idle_connections_do_not_delay_anyone(demo_server):
    idle = open_connections(demo_server.port, 50)
    try:
        start = time.monotonic()
        assert healthy(demo_server.port)
        assert time.monotonic() - start < 2
    finally:
        for sock in idle:
            sock.close()


def test_idle_connections_past_the_limit_are_dropped_and_service_resumes(quick_server):
    idle = open_connections(quick_server.port, MORE_THAN_THE_CONNECTION_LIMIT)
    try:
        # within the deadline the server may shed load (503), but it must recover by itself
        assert wait_until(lambda: health_status(quick_server.port) == 200, DEADLINE_S + 3)
        assert all(closed_by_server(sock) for sock in idle)
    finally:
        for sock in idle:
            sock.close()


def test_slowloris_partial_headers_are_cut_off_and_others_served(quick_server):
    slow = open_connections(quick_server.port, MORE_THAN_THE_CONNECTION_LIMIT)
    try:
        for sock in slow:
            sock.sendall(b"GET /usage HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        trickle_until = time.monotonic() + DEADLINE_S + 1.5
        n = 0
        while time.monotonic() < trickle_until:  # one header line at a time, never finishing
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-%d: a\r\n" % n)
            n += 1
            time.sleep(0.25)
        assert all(closed_by_server(sock) for sock in slow)
        assert health_status(quick_server.port) == 200
    finally:
        for sock in slow:
            sock.close()


def test_a_slow_but_complete_request_within_the_deadline_is_answered(quick_server):
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        for piece in (b"GET /hea", b"lth HTTP/1.1\r\nHost: 127.", b"0.0.1\r\n", b"\r\n"):
            sock.sendall(piece)
            time.sleep(DEADLINE_S / 5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")


def test_keep_alive_connection_survives_between_requests_and_is_fast(demo_server):
    # Regression: without TCP_NODELAY every keep-alive answer waited ~40 ms (delayed ACK).
    conn = http.client.HTTPConnection("127.0.0.1", demo_server.port, timeout=5)
    times = []
    try:
        for _ in range(15):
            start = time.perf_counter()
            conn.request("GET", "/usage")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            times.append(time.perf_counter() - start)
        assert conn.sock is not None  # still the same connection
    finally:
        conn.close()
    assert statistics.median(times[1:]) < 0.035, times


# --- a flood: 300 idle + 50 slowloris connections, the device still answered ----------------

DEVICE = "127.0.0.2"  # another loopback address plays the Car Thing (allowed, like the USB link)
FLOOD_IDLE, FLOOD_SLOW = 300, 50


def connect_from(source: str, port: int) -> socket.socket | None:
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=5,
                                        source_address=(source, 0))
    except OSError:
        return None  # refused at once: fine, it holds nothing


def device_get(port: int, path: str = "/health") -> tuple[int, float]:
    """One GET from the device's address on a fresh connection: (status, seconds taken)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(DEVICE, 0)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Connection: close\r\n\r\n".encode())
        head = sock.recv(64)
    return int(head.split(b" ", 2)[1]), time.monotonic() - start


def flood(port: int, source: str) -> tuple[list[socket.socket], list[socket.socket]]:
    idle = [s for s in (connect_from(source, port) for _ in range(FLOOD_IDLE)) if s]
    slow = [s for s in (connect_from(source, port) for _ in range(FLOOD_SLOW)) if s]
    for sock in slow:
        with contextlib.suppress(OSError):
            sock.sendall(b"GET /usage HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return idle, slow


def test_a_flood_from_one_address_never_turns_the_device_away(demo_server):
    idle, slow = flood(demo_server.port, "127.0.0.1")
    try:
        answers = []
        for n in range(8):  # a few seconds of flood, the slowloris trickling all along
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-%d: a\r\n" % n)
            answers.append(device_get(demo_server.port))
            time.sleep(0.4)
        assert [status for status, _ in answers] == [200] * 8  # never a 503 for the device
        assert max(took for _, took in answers) < 5  # generous: the bench measures it
        # Past the per-address cap the flood's connections were closed at once, not held.
        closed = sum(closed_by_server(sock) for sock in idle + slow)
        assert closed >= FLOOD_IDLE + FLOOD_SLOW - connections.MAX_PER_ADDRESS
    finally:
        for sock in idle + slow:
            sock.close()
