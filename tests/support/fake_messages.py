"""A fake Anthropic Messages API on loopback for the real Claude Code (SSE, rate-limit headers).

Claude Code, pointed here with ANTHROPIC_BASE_URL and a fake subscriber login, turns the
`anthropic-ratelimit-unified-*` headers into its status line's `rate_limits`. `tool` makes the
next answer ask to run a Bash command (to raise a permission prompt).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeMessages:
    """The fake API; `five_hour` and `seven_day` are fractions (0.43 = 43 %)."""

    def __init__(self, five_hour: float = 0.43, seven_day: float = 0.61,
                 delay_s: float = 0.0) -> None:
        self.delay_s = delay_s  # each streamed answer waits this long (Claude "working")
        self.five_hour = five_hour
        self.seven_day = seven_day
        self.resets = (int(time.time()) + 3 * 3600, int(time.time()) + 4 * 86400)
        self.requests: list[dict[str, Any]] = []
        self.tool_command: str | None = None  # the next answer asks to run this
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL for ANTHROPIC_BASE_URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def headers(self) -> dict[str, str]:
        """Return the rate-limit headers a subscriber's answer carries."""
        return {
            "anthropic-ratelimit-unified-status": "allowed",
            "anthropic-ratelimit-unified-5h-status": "allowed",
            "anthropic-ratelimit-unified-5h-utilization": str(self.five_hour),
            "anthropic-ratelimit-unified-5h-reset": str(self.resets[0]),
            "anthropic-ratelimit-unified-7d-status": "allowed",
            "anthropic-ratelimit-unified-7d-utilization": str(self.seven_day),
            "anthropic-ratelimit-unified-7d-reset": str(self.resets[1]),
            "anthropic-ratelimit-unified-representative-claim": "five_hour",
            "anthropic-ratelimit-unified-fallback-percentage": "0.5",
            "anthropic-ratelimit-unified-reset": str(self.resets[0]),
            "request-id": "req_fake_0001",
        }

    def answer(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the events of one streamed answer."""
        model = str(body.get("model") or "claude-fake")
        last = (body.get("messages") or [{}])[-1]
        has_result = isinstance(last.get("content"), list) and any(
            isinstance(c, dict) and c.get("type") == "tool_result" for c in last["content"])
        usage = {"input_tokens": 1200, "output_tokens": 12, "cache_read_input_tokens": 0,
                 "cache_creation_input_tokens": 0}
        events: list[dict[str, Any]] = [{"type": "message_start", "message": {
            "id": "msg_fake_01", "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}}]
        command, self.tool_command = (None, self.tool_command) if has_result else (
            self.tool_command, None)
        if command is not None and body.get("tools"):
            self.tool_command = None
            events += [
                {"type": "content_block_start", "index": 0, "content_block": {
                    "type": "tool_use", "id": "toolu_fake_01", "name": "Bash", "input": {}}},
                {"type": "content_block_delta", "index": 0, "delta": {
                    "type": "input_json_delta", "partial_json": json.dumps(
                        {"command": command, "description": "Run a command"})}},
                {"type": "content_block_stop", "index": 0},
                {"type": "message_delta", "delta": {"stop_reason": "tool_use",
                                                    "stop_sequence": None},
                 "usage": {"output_tokens": 20}},
            ]
        else:
            if command is not None:
                self.tool_command = command  # a side request without tools: keep it for later
            events += [
                {"type": "content_block_start", "index": 0,
                 "content_block": {"type": "text", "text": ""}},
                {"type": "content_block_delta", "index": 0,
                 "delta": {"type": "text_delta", "text": "Hello from the fake API."}},
                {"type": "content_block_stop", "index": 0},
                {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                    "stop_sequence": None},
                 "usage": {"output_tokens": 8}},
            ]
        events.append({"type": "message_stop"})
        return events

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                for name, value in fake.headers().items():
                    self.send_header(name, value)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send(404, b'{"type":"error","error":{"type":"not_found_error"}}',
                           "application/json")

            def do_HEAD(self) -> None:
                self._send(200, b"", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                fake.requests.append({"path": self.path, "body": body})
                if not self.path.startswith("/v1/messages") or "count_tokens" in self.path:
                    self._send(200, b'{"input_tokens": 1200}', "application/json")
                    return
                events = fake.answer(body)
                if not body.get("stream"):
                    message = dict(events[0]["message"])
                    message["content"] = [{"type": "text", "text": "Fake title"}]
                    message["stop_reason"] = "end_turn"
                    self._send(200, json.dumps(message).encode(), "application/json")
                    return
                time.sleep(fake.delay_s)
                self._send(200, b"".join(_sse(events)), "text/event-stream")

        return Handler

    def __enter__(self) -> FakeMessages:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _sse(events: list[dict[str, Any]]) -> Iterator[bytes]:
    for event in events:
        yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
