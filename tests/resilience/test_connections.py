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


# --- request bodies: a whole-request deadline, a small body limit ---------------------------


def test_a_trickled_body_is_cut_at_the_request_deadline(quick_server):
    # The head arrives at once; the body, one byte at a time, would hold the connection forever.
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=5) as sock:
        sock.sendall(b"POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Length: 1000\r\n\r\n")
        started = time.monotonic()
        sock.settimeout(0.05)
        cut = False
        while not cut and time.monotonic() - started < DEADLINE_S + 6:
            try:
                sock.sendall(b"x")
                cut = sock.recv(4096) == b""  # an answer may come first; then the close
            except TimeoutError:
                pass
            except OSError:
                cut = True
            time.sleep(0.2)
        assert cut, "the trickled body still held its connection"
        assert time.monotonic() - started < DEADLINE_S + 3


@pytest.mark.parametrize("path", ["/api/refresh", "/usage"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(demo_server, path):
    from tests.resilience.conftest import status_of

    with socket.create_connection(("127.0.0.1", demo_server.port), timeout=5) as sock:
        method = "POST" if path == "/api/refresh" else "GET"
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Content-Length: {10 * 1024 * 1024}\r\n\r\n".encode())
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(4096):
                answer += chunk
    assert status_of(answer) == 413
    assert b"connection: close" in answer.lower()
    assert healthy(demo_server.port)


# --- the per-address cap: all of loopback is one address, IPv6 counts per /64 -----------------


def connect_from(source: str, port: int) -> socket.socket | None:
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=5,
                                        source_address=(source, 0))
    except OSError:
        return None  # refused at once: fine, it holds nothing


def test_all_of_loopback_shares_one_cap(demo_server):
    # Linux routes all of 127.0.0.0/8 to this machine: 127.0.0.2-9 are one local program.
    held = [connect_from(f"127.0.0.{2 + n % 8}", demo_server.port)
            for n in range(connections.MAX_PER_ADDRESS)]
    try:
        assert all(held)
        assert health_status(demo_server.port) == 503  # from 127.0.0.1: the same address
    finally:
        for sock in held:
            if sock is not None:
                sock.close()
    assert wait_until(lambda: health_status(demo_server.port) == 200, 5)


def test_ipv6_addresses_count_per_64():
    limits = connections.ConnectionLimits([connections.ipaddress.ip_network("2001:db8::/32")],
                                          per_address=2)
    assert limits.admit("2001:db8:0:1::1") is None
    assert limits.admit("2001:db8:0:1:ffff::2") is None
    assert limits.admit("2001:db8:0:1::3") == "busy"  # same /64: one host's privacy addresses
    assert limits.admit("2001:db8:0:2::1") is None  # another /64: another network
    limits.release("2001:db8:0:1::3")  # the refused one closes (it counted while open)
    limits.release("2001:db8:0:1::1")
    assert limits.admit("2001:db8:0:1::4") is None
