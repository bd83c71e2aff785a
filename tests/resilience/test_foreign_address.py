"""A client from a non-allowed address, over a real veth link between network namespaces."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from claude_carthing.service import bind, build_service, uvicorn_server
from claude_carthing.settings import load_settings
from tests.resilience.conftest import healthy
from tests.support.live_server import free_port

pytestmark = pytest.mark.netns
HOST_IP, GUEST_IP = "198.18.77.1", "198.18.77.2"  # benchmarking range; lives on our veth only
NS = f"cc-res-{os.getpid()}"
VETH = f"ccr{os.getpid() % 100000}"


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def guest_namespace() -> Iterator[str]:
    """A network namespace reachable from here only through a veth pair this test creates."""
    if sys.platform != "linux" or shutil.which("ip") is None:
        pytest.skip("needs Linux and iproute2 (`ip`)")
    try:
        ip("netns", "add", NS)
    except subprocess.CalledProcessError:
        pytest.skip("creating network namespaces is not permitted here (needs root)")
    try:
        ip("link", "add", VETH, "type", "veth", "peer", "name", VETH + "g")
        ip("link", "set", VETH + "g", "netns", NS)
        ip("addr", "add", f"{HOST_IP}/30", "dev", VETH)
        ip("link", "set", VETH, "up")
        ip("-n", NS, "addr", "add", f"{GUEST_IP}/30", "dev", VETH + "g")
        ip("-n", NS, "link", "set", VETH + "g", "up")
        ip("-n", NS, "link", "set", "lo", "up")
        yield NS
    finally:
        subprocess.run(["ip", "link", "del", VETH], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", NS], capture_output=True, check=False)


def fetch_from_guest(namespace: str, url: str, method: str = "GET") -> tuple[int, dict]:
    code = ("import json, sys, urllib.request, urllib.error\n"
            "try:\n"
            f"    r = urllib.request.urlopen(urllib.request.Request({url!r}, method={method!r}),"
            " timeout=5)\n"
            "    print(r.status); print(r.read().decode())\n"
            "except urllib.error.HTTPError as e:\n"
            "    print(e.code); print(e.read().decode())\n")
    result = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=30, check=True)
    status, body = result.stdout.split("\n", 1)
    return int(status), json.loads(body)


def serve_on_all_addresses(**settings: object):
    port = free_port()
    config = load_settings(host="0.0.0.0", port=port, **settings)
    service = build_service(config, demo=True)
    server = uvicorn_server(service)
    sock = bind("0.0.0.0", port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()

    return port, stop


def test_a_client_outside_the_allow_list_gets_403_and_loopback_is_still_served(
        guest_namespace):
    port, stop = serve_on_all_addresses()
    try:
        for method, path in (("GET", "/usage"), ("GET", "/api/history"), ("GET", "/health"),
                             ("POST", "/api/refresh")):
            status, body = fetch_from_guest(guest_namespace, f"http://{HOST_IP}:{port}{path}",
                                            method)
            assert status == 403, path
            assert "config set allow" in body["error"], path
            assert not {"five_hour", "series", "has_data", "accepted"} & set(body), path
        assert healthy(port)
    finally:
        stop()


def test_widening_the_allow_list_lets_that_client_in(guest_namespace):
    port, stop = serve_on_all_addresses(allow="198.18.77.0/30")
    try:
        status, body = fetch_from_guest(guest_namespace, f"http://{HOST_IP}:{port}/usage")
        assert status == 200 and body["meta"]["state"] == "demo"
        status, body = fetch_from_guest(guest_namespace,
                                        f"http://{HOST_IP}:{port}/api/history")
        assert status == 200 and "series" in body
        status, body = fetch_from_guest(guest_namespace,
                                        f"http://{HOST_IP}:{port}/api/refresh", "POST")
        assert status in (202, 429) and "accepted" in body
    finally:
        stop()
