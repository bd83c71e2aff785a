"""The original project's device scripts relay our `/usage` unchanged (BusyBox sh, loopback).

The scripts are read from the original README at test time (step 4.4), never copied into the
project; only their addresses and ports are changed to loopback values.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import require_binary
from tests.support.live_server import LiveServer, free_port

pytestmark = [pytest.mark.busybox, pytest.mark.seed]


def extract_script(readme: str, name: str) -> str:
    """Return the body of `cat > /opt/custom/<name> << 'EOF' ... EOF` from the README."""
    match = re.search(rf"cat > /opt/custom/{re.escape(name)} << 'EOF'\n(.*?)\nEOF\n", readme,
                      re.DOTALL)
    assert match, f"{name} not found in the original README"
    return match.group(1) + "\n"


def busybox_bin(tmp_path: Path) -> Path:
    """A PATH folder whose nc, cat and sleep are BusyBox's, as on the device."""
    busybox = require_binary("busybox")
    folder = tmp_path / "bin"
    folder.mkdir()
    for applet in ("nc", "cat", "sleep", "sh"):
        (folder / applet).symlink_to(busybox)
    return folder


def http_get(port: int, timeout: float = 10.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(b"GET /usage HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                chunks = []
                while chunk := sock.recv(65536):
                    chunks.append(chunk)
                return b"".join(chunks)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_original_fetch_loop_and_nc_server_relay_our_usage(original_readme, fake_upstream, tmp_path):
    require_binary("curl")
    readme = original_readme
    fetch = extract_script(readme, "fetch-usage.sh")
    relay = extract_script(readme, "http-server.sh")
    cache = tmp_path / "usage.json"
    nc_port = free_port()
    bin_dir = busybox_bin(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    with LiveServer(upstream=fake_upstream) as server:
        fetch = fetch.replace("http://172.16.42.1:8080/", server.url + "/")
        fetch = fetch.replace("/tmp/usage.json", str(cache))
        relay = relay.replace("-p 8080", f"-p {nc_port}").replace("/tmp/usage.json", str(cache))
        (tmp_path / "fetch-usage.sh").write_text(fetch)
        (tmp_path / "http-server.sh").write_text(relay)
        busybox = shutil.which("busybox")

        def start(name: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen([busybox, "sh", str(tmp_path / name)], env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)

        procs = [start("fetch-usage.sh")]
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not (cache.exists() and cache.stat().st_size):
                time.sleep(0.1)
            cached = json.loads(cache.read_text())
            assert cached["five_hour"]["utilization"] == 15.0
            # The relay prepares each answer before a client connects, so it starts once the
            # cache holds data (on the device, runit starts it long before anyone asks).
            procs.append(start("http-server.sh"))
            response = http_get(nc_port)
            second = http_get(nc_port)  # the loop answers again
        finally:
            for proc in procs:
                os.killpg(proc.pid, 9)
                proc.wait(10)
    assert response.startswith(b"HTTP/1.1 200 OK")
    head, body = response[: response.index(b"{")], response[response.index(b"{"):]
    assert b"Access-Control-Allow-Origin: *" in head
    assert json.loads(second[second.index(b"{"):]) == json.loads(body)
    doc = json.loads(body)
    # What the original page reads: these keys, and no `status` or `error` on good data.
    assert doc["five_hour"]["utilization"] == 15.0
    assert doc["seven_day"]["resets_at"] == "2026-07-23T14:59:59.570774+00:00"
    assert "status" not in doc and "error" not in doc
