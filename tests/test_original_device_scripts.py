"""The original project's device scripts relay our `/usage` unchanged, over a real link.

The fetch loop (BusyBox sh + curl) runs in the device namespace and calls the PC's server at
http://172.16.42.1:8080/, as written in the original README; the nc relay answers on the
device's port 8080. Only the cache file's path differs (tests/support/original.py).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.netns import LinkServer, http_in
from tests.support.original import start_relay

pytestmark = [pytest.mark.busybox, pytest.mark.seed, pytest.mark.netns]


def relay_get(link, timeout: float = 15.0) -> tuple[int, dict, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_in(link.device_ns, "http://127.0.0.1:8080/usage",
                           headers={"Connection": "close"})
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_original_fetch_loop_and_nc_relay_pass_our_usage_on_the_device(
        original_readme, fake_upstream, v3_link, tmp_path):
    with LinkServer(v3_link, upstream=fake_upstream):
        cache = start_relay(v3_link, original_readme, tmp_path)
        cached = json.loads(cache.read_text())
        status, headers, body = relay_get(v3_link)
        _, _, second = relay_get(v3_link)  # the loop answers again
    assert cached["five_hour"]["utilization"] == 15.0
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert json.loads(second) == json.loads(body)
    doc = json.loads(body)
    # What the original page reads: these keys, and no `status` or `error` on good data.
    assert doc["five_hour"]["utilization"] == 15.0
    assert doc["seven_day"]["resets_at"] == "2026-07-23T14:59:59.570774+00:00"
    assert "status" not in doc and "error" not in doc
