"""Who may read and answer Claude Code's permission requests, and when an answer is refused.

Only the Car Thing itself (its file:// page from its address on the link) and the server's own
page on this PC's loopback may, and only with the secret; an answer is single-use, bound to the
request id, and refused after the timeout or once the request was answered in the terminal.
In-process with the addresses a real connection would have, then a few over a real socket.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import urllib.error
import urllib.request

import pytest
from starlette.testclient import TestClient

from claude_carthing import paths
from claude_carthing.poller import Poller
from claude_carthing.serving.approvals import SECRET_FILE, Approvals
from claude_carthing.serving.server import create_app
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.live_server import LiveServer

PC_USB = "172.16.42.1"
DEVICE = "172.16.42.2"
REQUEST = {"session_id": "s-1", "project": "shop", "tool_name": "Bash", "kind": "command",
           "text": "rm -rf node_modules"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(fake_upstream, client_ip, server_ip="127.0.0.1", **settings):
    creds.write_oauth()
    config = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=1.0,
                           **settings)
    poller = Poller(ClaudeSource(config), interval=300)
    clock = Clock()
    approvals = Approvals(120, monotonic=clock)
    host = f"[{server_ip}]" if ":" in server_ip else server_ip
    client = TestClient(create_app(poller, config, approvals=approvals),
                        base_url=f"http://{host}:8080", client=(client_ip, 50000))
    return client, approvals, clock


def secret() -> str:
    return (paths.home_dir() / SECRET_FILE).read_text().strip()


def answer(client, item_id, decision="allow", origin="null", key=None, **extra):
    body = {"secret": secret() if key is None else key, "id": item_id, "decision": decision}
    return client.post("/api/approvals/answer", content=json.dumps({**body, **extra}),
                       headers={"Origin": origin, "Content-Type": "text/plain"})


def test_the_car_thing_allows_once_and_a_second_answer_is_refused(fake_upstream):
    client, approvals, _ = make(fake_upstream, DEVICE, PC_USB)
    item = approvals.add(REQUEST)
    listed = client.post("/api/approvals/pending", content=json.dumps({"secret": secret()}),
                         headers={"Origin": "null"})
    assert listed.status_code == 200
    assert [r["text"] for r in listed.json()["requests"]] == ["rm -rf node_modules"]
    assert listed.json()["requests"][0]["project"] == "shop"
    assert answer(client, item.id).status_code == 200
    assert (item.outcome, item.by) == ("allow", "device")
    again = answer(client, item.id, "deny")
    assert again.status_code == 409 and item.outcome == "allow"


def test_the_kiosk_of_v3_sends_file_origin_and_may_deny(fake_upstream):
    client, approvals, _ = make(fake_upstream, DEVICE, PC_USB)
    item = approvals.add(REQUEST)
    assert answer(client, item.id, "deny", origin="file://").status_code == 200
    assert item.outcome == "deny"


def test_the_secret_is_made_once_and_private(fake_upstream):
    make(fake_upstream, DEVICE, PC_USB)
    first = secret()
    make(fake_upstream, DEVICE, PC_USB)
    assert secret() == first and len(first) >= 32
    if os.name != "nt":
        assert stat.S_IMODE((paths.home_dir() / SECRET_FILE).stat().st_mode) == 0o600


@pytest.mark.parametrize("key", ["", "0" * 48, None])
def test_no_or_a_wrong_secret_is_refused(fake_upstream, key):
    client, approvals, _ = make(fake_upstream, DEVICE, PC_USB)
    item = approvals.add(REQUEST)
    body: dict = {"id": item.id, "decision": "allow"}
    if key is not None:
        body["secret"] = key
    refused = client.post("/api/approvals/answer", content=json.dumps(body),
                          headers={"Origin": "null"})
    assert refused.status_code == 403 and item.outcome is None
    listed = client.post("/api/approvals/pending", content=json.dumps(body),
                         headers={"Origin": "null"})
    assert listed.status_code == 403 and "rm -rf" not in listed.text


def test_an_answer_is_bound_to_its_request(fake_upstream):
    client, approvals, _ = make(fake_upstream, DEVICE, PC_USB)
    first, second = approvals.add(REQUEST), approvals.add(REQUEST)
    assert answer(client, "not-" + first.id).status_code == 409
    assert answer(client, first.id, "always").status_code == 409
    assert answer(client, first.id, "allow", updatedInput={"command": "ls"}).status_code == 200
    assert first.outcome == "allow" and second.outcome is None


def test_an_answer_after_the_timeout_is_refused(fake_upstream):
    client, approvals, clock = make(fake_upstream, DEVICE, PC_USB)
    item = approvals.add(REQUEST)
    clock.now += 120.5
    refused = answer(client, item.id)
    assert refused.status_code == 409 and "timed out" in refused.json()["error"]
    assert item.outcome == "timeout"


def test_a_later_event_of_the_session_means_answered_in_the_terminal(fake_upstream):
    client, approvals, _ = make(fake_upstream, DEVICE, PC_USB)
    item, other = approvals.add(REQUEST), approvals.add({**REQUEST, "session_id": "s-2"})
    # The same server, posted to by the hook on this PC. The permission_prompt notification comes while the dialog is still open: no change.
    client_hook = TestClient(client.app, base_url="http://127.0.0.1:8080",
                             client=("127.0.0.1", 50001))
    note = {"hook_event_name": "Notification", "session_id": "s-1",
            "notification_type": "permission_prompt"}
    assert client_hook.post("/api/claude-code/hook", json=note).status_code == 200
    assert item.outcome is None
    moved = {"hook_event_name": "PostToolUse", "session_id": "s-1", "tool_name": "Bash"}
    assert client_hook.post("/api/claude-code/hook", json=moved).status_code == 200
    assert item.outcome == "terminal" and other.outcome is None
    late = answer(client, item.id)
    assert late.status_code == 409 and "answered in the terminal" in late.json()["error"]


def test_a_request_cut_short_may_be_denied_but_never_allowed(fake_upstream):
    client, approvals, _ = make(fake_upstream, DEVICE, PC_USB)
    item = approvals.add({**REQUEST, "cut": True})
    assert answer(client, item.id).status_code == 409 and item.outcome is None
    assert answer(client, item.id, "deny").status_code == 200


@pytest.mark.parametrize(("client_ip", "server_ip", "origin", "settings"), [
    ("127.0.0.1", "127.0.0.1", "null", {}),  # a sandboxed frame or file:// page on this PC
    ("127.0.0.1", "127.0.0.1", "file://", {}),
    ("127.0.0.1", "127.0.0.1", "http://127.0.0.1:9999", {}),  # another local site
    ("127.0.0.1", "127.0.0.1", "http://localhost:3000", {}),
    ("127.0.0.1", "127.0.0.1", None, {}),  # no browser at all: curl, a script
    (PC_USB, PC_USB, "null", {}),  # a page on this PC calling its own USB address
    (PC_USB, PC_USB, f"http://{PC_USB}:8080", {}),  # the server's page, but not on loopback
    ("192.168.1.20", "192.168.1.5", "null", {"allow": "192.168.1.0/24"}),  # a LAN peer
    ("192.168.1.20", "192.168.1.5", "http://192.168.1.5:8080", {"allow": "192.168.1.0/24"}),
    ("127.0.0.1", "127.0.0.1", "http://dash.example", {"cors_origins": "http://dash.example"}),
])
def test_no_one_else_may_read_answer_or_learn_the_secret(
        fake_upstream, client_ip, server_ip, origin, settings):
    client, approvals, _ = make(fake_upstream, client_ip, server_ip, **settings)
    item = approvals.add(REQUEST)
    headers = {"Origin": origin} if origin else {}
    for path in ("/api/approvals/secret", "/api/approvals/pending", "/api/approvals/answer"):
        body = {"secret": secret(), "id": item.id, "decision": "allow"}
        response = client.post(path, content=json.dumps(body), headers=headers)
        assert response.status_code == 403, (path, response.text)
        assert secret() not in response.text and "rm -rf" not in response.text
    assert item.outcome is None


def test_only_the_servers_own_page_on_loopback_learns_the_secret(fake_upstream):
    client, approvals, _ = make(fake_upstream, "127.0.0.1")
    own = {"Origin": "http://127.0.0.1:8080"}
    got = client.post("/api/approvals/secret", headers=own)
    assert got.status_code == 200 and got.json()["secret"] == secret()
    assert "access-control-allow-origin" not in {k.lower() for k in got.headers} or \
        got.headers["access-control-allow-origin"] == own["Origin"]
    cross = client.post("/api/approvals/secret",
                        headers={**own, "Sec-Fetch-Site": "same-site"})
    assert cross.status_code == 403
    item = approvals.add(REQUEST)
    assert answer(client, item.id, origin=own["Origin"]).status_code == 200
    assert (item.outcome, item.by) == ("allow", "page")


def test_no_site_may_frame_the_page_or_run_scripts_in_it(fake_upstream):
    client, _, _ = make(fake_upstream, "127.0.0.1")
    for path in ("/", "/index.html", "/usage"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.headers["x-frame-options"] == "DENY"
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy


# --- over a real socket ---------------------------------------------------------------------


def post(url, body, headers=None, timeout=10.0):
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_pending(server, own, key, count, timeout=5.0):
    end = time.monotonic() + timeout
    while True:
        _, listed = post(server.url + "/api/approvals/pending", {"secret": key}, own)
        if len(listed["requests"]) == count or time.monotonic() > end:
            return listed["requests"]
        time.sleep(0.05)


def test_the_held_request_gets_the_pages_answer_over_a_socket(fake_upstream):
    with LiveServer(upstream=fake_upstream) as server:
        own = {"Origin": server.url}
        status, got = post(server.url + "/api/approvals/secret", {}, own)
        assert status == 200
        key = got["secret"]
        for origin in ("null", "http://localhost:3000"):
            assert post(server.url + "/api/approvals/secret", {}, {"Origin": origin})[0] == 403
        results: list = []
        nonce = "n" * 32
        hook = threading.Thread(target=lambda: results.append(
            post(server.url + "/api/claude-code/permission", {**REQUEST, "nonce": nonce},
                 timeout=30)))
        hook.start()
        [shown] = wait_pending(server, own, key, 1)
        assert shown["text"] == REQUEST["text"]
        assert post(server.url + "/api/approvals/answer",
                    {"secret": key, "id": shown["id"], "decision": "null"}, {"Origin": "null"}
                    )[0] == 403
        assert post(server.url + "/api/approvals/answer",
                    {"secret": key, "id": shown["id"], "decision": "deny"}, own)[0] == 200
        hook.join(5)
        from claude_carthing.serving.approval_routes import proof

        assert results == [(200, {"id": shown["id"], "decision": "deny",
                                  "proof": proof(key, nonce, shown["id"], "deny")})]


def test_the_hook_going_away_ends_the_request_within_2_s(fake_upstream):
    with LiveServer(upstream=fake_upstream) as server:
        own = {"Origin": server.url}
        key = post(server.url + "/api/approvals/secret", {}, own)[1]["secret"]
        body = json.dumps(REQUEST).encode()
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"POST /api/claude-code/permission HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        [shown] = wait_pending(server, own, key, 1)
        sock.close()
        closed = time.monotonic()
        assert wait_pending(server, own, key, 0) == []
        assert time.monotonic() - closed < 2.0
        late = post(server.url + "/api/approvals/answer",
                    {"secret": key, "id": shown["id"], "decision": "allow"}, own)
        assert late == (409, {"error": "answered in the terminal"})
