"""`claude-carthing hook --approve` on a real PermissionRequest input, against the real server.

It prints the allow JSON only after a press for that very request, the deny JSON after back,
and nothing at all (no decision) on a timeout, with no server, or without `--approve`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from claude_carthing.claude_code import approve, endpoint
from tests.support.live_server import LiveServer, free_port

EXE = Path(sys.executable).with_name("claude-carthing")
ALLOW = {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                "decision": {"behavior": "allow"}}}
# The real 2.1.332 input, "always allow" suggestions included (never to be echoed).
REQUEST = {"session_id": "sess-9", "transcript_path": "/home/someone/.claude/p/x.jsonl",
           "cwd": "/home/someone/work/shop", "prompt_id": "p1", "permission_mode": "default",
           "effort": {"level": "medium"}, "hook_event_name": "PermissionRequest",
           "tool_name": "Bash",
           "tool_input": {"command": "rm -rf node_modules", "description": "Remove modules"},
           "permission_suggestions": [
               {"type": "addDirectories", "directories": ["/tmp"], "destination": "session"},
               {"type": "setMode", "mode": "acceptEdits", "destination": "session"}]}


def start_hook(args: list[str], stdin: dict[str, Any]) -> subprocess.Popen[str]:
    proc = subprocess.Popen([str(EXE), "hook", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(stdin))
    proc.stdin.close()
    proc.stdin = None
    return proc


def post(url: str, body: dict[str, Any], origin: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class Page:
    """The server's own page on loopback, as a person pressing the dial would use it."""

    def __init__(self, server: LiveServer) -> None:
        self.url = server.url
        self.key = post(self.url + "/api/approvals/secret", {}, self.url)[1]["secret"]

    def pending(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        end = time.monotonic() + timeout
        while True:
            shown = post(self.url + "/api/approvals/pending", {"secret": self.key},
                         self.url)[1]["requests"]
            if len(shown) >= count or time.monotonic() > end:
                return list(shown)
            time.sleep(0.05)

    def answer(self, item_id: str, decision: str) -> int:
        return post(self.url + "/api/approvals/answer",
                    {"secret": self.key, "id": item_id, "decision": decision}, self.url)[0]


def finish(proc: subprocess.Popen[str], timeout: float = 10) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0 and err == ""
    return out, err


def test_a_press_allows_exactly_that_request_and_nothing_more() -> None:
    with LiveServer(source=None) as server:
        endpoint.write("127.0.0.1", server.port)
        page = Page(server)
        proc = start_hook(["--approve"], REQUEST)
        [shown] = page.pending()
        assert (shown["tool"], shown["project"], shown["kind"], shown["text"]) == (
            "Bash", "shop", "command", "rm -rf node_modules")
        assert "work" not in json.dumps(shown)  # the folder name, not its path
        time.sleep(0.3)
        assert proc.poll() is None  # still waiting for a person
        assert page.answer(shown["id"], "allow") == 200
        out, _ = finish(proc)
        assert json.loads(out) == ALLOW
        assert "updatedInput" not in out and "updatedPermissions" not in out


def test_back_denies_with_a_message_saying_where() -> None:
    with LiveServer(source=None) as server:
        endpoint.write("127.0.0.1", server.port)
        page = Page(server)
        proc = start_hook(["--approve"], {**REQUEST, "tool_name": "Write",
                                          "tool_input": {"file_path": "/srv/a.txt",
                                                         "content": "x"}})
        [shown] = page.pending()
        assert (shown["kind"], shown["text"]) == ("path", "/srv/a.txt")
        assert page.answer(shown["id"], "deny") == 200
        out, _ = finish(proc)
        decision = json.loads(out)["hookSpecificOutput"]["decision"]
        assert decision["behavior"] == "deny" and "Car Thing" in decision["message"]
        assert json.loads(out)["hookSpecificOutput"]["hookEventName"] == "PermissionRequest"


def test_no_answer_gives_no_output_at_the_timeout() -> None:
    with LiveServer(source=None, settings={"approval_timeout": 10}) as server:
        endpoint.write("127.0.0.1", server.port)
        start = time.monotonic()
        out, _ = finish(start_hook(["--approve"], REQUEST), timeout=30)
        assert out == "" and 9.5 <= time.monotonic() - start < 15


def test_with_no_server_it_gives_no_decision_at_once() -> None:
    endpoint.write("127.0.0.1", free_port())
    start = time.monotonic()
    out, _ = finish(start_hook(["--approve"], REQUEST))
    assert out == "" and time.monotonic() - start < 3


def test_without_approve_the_hook_asks_nothing_and_prints_nothing() -> None:
    with LiveServer(source=None) as server:
        endpoint.write("127.0.0.1", server.port)
        page = Page(server)
        out, _ = finish(start_hook([], REQUEST))
        assert out == "" and page.pending(timeout=0.3) == []


def test_a_later_event_of_the_session_ends_the_wait_silently() -> None:
    with LiveServer(source=None) as server:
        endpoint.write("127.0.0.1", server.port)
        page = Page(server)
        proc = start_hook(["--approve"], REQUEST)
        [shown] = page.pending()
        finish(start_hook([], {"hook_event_name": "PostToolUse", "session_id": "sess-9",
                               "tool_name": "Bash", "cwd": "/x/shop"}))
        out, _ = finish(proc, timeout=5)
        assert out == "" and page.answer(shown["id"], "allow") == 409


def test_a_command_too_long_to_send_is_marked_cut() -> None:
    body = approve.request_body({**REQUEST, "tool_input": {"command": "é" * 5000}}, "shop")
    assert body["cut"] is True and len(json.dumps(body)) <= 4096
    short = approve.request_body(REQUEST, "shop")
    assert short["cut"] is False and short["text"] == "rm -rf node_modules"


def test_only_an_answer_proven_for_our_nonce_decides() -> None:
    key, nonce = "k" * 48, "n" * 32
    good = {"id": "x", "decision": "allow", "proof": approve.proof(key, nonce, "x", "allow")}
    assert json.loads(approve.decide(good, nonce, key) or "") == ALLOW
    assert approve.decide(good, "m" * 32, key) is None  # another request's nonce
    assert approve.decide(good, nonce, "j" * 48) is None  # another secret
    assert approve.decide(good, nonce, None) is None
    assert approve.decide({**good, "decision": "deny"}, nonce, key) is None  # proof for allow
    assert approve.decide({"id": "x", "decision": "allow"}, nonce, key) is None
    assert approve.decide(None, nonce, key) is None


def test_an_impostor_on_the_port_cannot_make_the_hook_allow() -> None:
    # Our server is down; something else answers on its port with an allow of its own.
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from claude_carthing import paths
    from claude_carthing.serving.approvals import SECRET_FILE, load_secret

    load_secret(paths.home_dir() / SECRET_FILE)  # a server ran here once

    class Impostor(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"id": "x", "decision": "allow", "proof": "0" * 64}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    impostor = ThreadingHTTPServer(("127.0.0.1", 0), Impostor)
    Thread(target=impostor.serve_forever, daemon=True).start()
    try:
        endpoint.write("127.0.0.1", impostor.server_address[1])
        out, _ = finish(start_hook(["--approve"], REQUEST))
        assert out == ""
    finally:
        impostor.shutdown()


def test_the_commands_turn_approvals_on_and_status_names_the_mode(tmp_path: Path) -> None:
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(tmp_path)}

    def cli(*args: str) -> str:
        return subprocess.run([str(EXE), "claude-code", *args], capture_output=True, text=True,
                              env=env, timeout=60, check=False).stdout

    assert "approvals from the Car Thing: off" in cli("install") + cli("status")
    cli("install", "--approvals")
    shown = cli("status")
    assert "approvals from the Car Thing: on" in shown
    assert "permission mode in your settings: auto" in shown and "default (manual)" in shown
    cli("uninstall")
    assert "approvals from the Car Thing: off" in cli("status")
