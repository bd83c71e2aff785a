"""A real HTTP server on loopback that plays Claude's usage endpoints and their failures."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upstream"
ORG_ID = "00000000-0000-4000-8000-0000000000c2"

CLOUDFLARE_HTML = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper">
<noscript>Enable JavaScript and cookies to continue</noscript></div></body></html>"""


def page(name: str) -> str:
    """Return a recorded HTML page from tests/fixtures/upstream."""
    return (FIXTURES / name).read_text(encoding="utf-8")


CLOUDFLARE_HEADERS = {"Content-Type": "text/html; charset=UTF-8", "Server": "cloudflare",
                      "CF-RAY": "0000000000000000-FRA"}


def fixture(name: str) -> Any:
    """Return a recorded upstream payload from tests/fixtures/upstream."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["details"] = {"error_code": code}
    return {"type": "error", "error": error}


@dataclass
class Canned:
    """One scripted answer."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


FAILURES: dict[str, Canned] = {
    "cloudflare": Canned(403, CLOUDFLARE_HTML,
                         {"Content-Type": "text/html; charset=UTF-8", "cf-mitigated": "challenge"}),
    "expired": Canned(403, json.dumps(_error("permission_error", "Invalid authorization",
                                             "account_session_invalid"))),
    "wrong_org": Canned(403, json.dumps(_error("permission_error",
                                               "Invalid authorization for organization"))),
    "oauth_401": Canned(401, json.dumps(_error("authentication_error",
                                               "OAuth access token is invalid."))),
    "scope_403": Canned(403, json.dumps(_error(
        "permission_error", "OAuth token does not meet scope requirement user:profile"))),
    "rate_limit_0": Canned(429, json.dumps(_error("rate_limit_error", "Rate limited")),
                           {"retry-after": "0"}),
    "rate_limit_big": Canned(429, json.dumps(_error("rate_limit_error", "Rate limited")),
                             {"retry-after": "3600"}),
    "server_500": Canned(500, json.dumps(_error("api_error", "Internal server error"))),
    "server_503_html": Canned(503, "<html><body>Service Unavailable</body></html>",
                              {"Content-Type": "text/html"}),
    "cloudflare_1015": Canned(429, page("cloudflare_1015.html"), CLOUDFLARE_HEADERS),
    "cloudflare_503": Canned(503, page("cloudflare_503_checking.html"), CLOUDFLARE_HEADERS),
    "malformed": Canned(200, '{"five_hour": {"utilization": 12,'),
    "not_object": Canned(200, '["unexpected"]'),
    "timeout": Canned(200, "{}", delay=5.0),
}


@dataclass
class Seen:
    """A request the fake upstream received."""

    method: str
    path: str
    headers: dict[str, str]


class FakeUpstream:
    """Plays `GET /api/oauth/usage`, `GET /api/organizations` and the org usage endpoint."""

    def __init__(self) -> None:
        self.usage: Any = fixture("full")
        self.orgs: Any = fixture("orgs")
        self.org_id = ORG_ID
        self.failure: dict[str, Canned | None] = {"oauth": None, "web": None, "orgs": None}
        self.set_cookie: str | None = None
        self.set_cookies: dict[str, str] = {}  # more Set-Cookie headers on web usage answers
        # Like Cloudflare since mid-2026: challenge web requests lacking the browser's cookies
        # or an anthropic-device-id header.
        self.require_cloudflare_cookies = False
        self.requests: list[Seen] = []
        # Several accounts: answers for one token or session key, whatever the others get.
        self.by_credential: dict[str, Canned] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ---------------------------------------------------------------------------

    def set_usage(self, payload: Any) -> None:
        """Answer usage reads on both routes with 200 and this payload (a dict or fixture name)."""
        self.usage = fixture(payload) if isinstance(payload, str) else payload
        self.failure["oauth"] = self.failure["web"] = None

    def fail_with(self, kind: str, route: str | None = None) -> None:
        """Make usage reads (of one route, or both) fail the way `kind` names (see FAILURES)."""
        canned = FAILURES[kind]
        for name in ([route] if route else ["oauth", "web"]):
            self.failure[name] = canned

    def rate_limit(self, retry_after: str, route: str | None = None) -> None:
        """Answer usage reads (of one route, or both) with 429 and this `retry-after` header."""
        canned = Canned(429, json.dumps(_error("rate_limit_error", "Rate limited")),
                        {"retry-after": retry_after})
        for name in ([route] if route else ["oauth", "web"]):
            self.failure[name] = canned

    def slow(self, seconds: float, route: str | None = None) -> None:
        """Answer usage reads (of one route, or both) with the usage, after `seconds`."""
        canned = Canned(200, json.dumps(self.usage), delay=seconds)
        for name in ([route] if route else ["oauth", "web"]):
            self.failure[name] = canned

    def answer_for(self, credential: str, payload: Any) -> None:
        """Answer usage reads made with this OAuth token or session key with `payload` (a dict
        or fixture name), or fail them the way a FAILURES name says."""
        if isinstance(payload, str) and payload in FAILURES:
            self.by_credential[credential] = FAILURES[payload]
            return
        body = fixture(payload) if isinstance(payload, str) else payload
        self.by_credential[credential] = Canned(200, json.dumps(body))

    def heal(self) -> None:
        """Stop failing."""
        self.failure = {"oauth": None, "web": None, "orgs": None}

    def usage_requests(self) -> list[Seen]:
        """Return the usage reads received so far."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/usage")]

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT (point CLAUDE_CARTHING_*_URL here)."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeUpstream:
        """Start serving in a daemon thread on a free loopback port."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- handling ------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.requests.append(Seen("GET", path, {k.lower(): v for k, v in handler.headers.items()}))
        cookie = handler.headers.get("Cookie", "")
        if path.startswith("/api/organizations") and self.require_cloudflare_cookies:
            sent = {part.split("=", 1)[0].strip() for part in cookie.split(";") if "=" in part}
            if not {"cf_clearance", "__cf_bm"} <= sent or not handler.headers.get(
                    "anthropic-device-id"):
                return self._send(handler, FAILURES["cloudflare"])
        if path == "/api/oauth/usage":
            auth = handler.headers.get("Authorization", "")
            if not auth.startswith("Bearer sk-ant-oat01-"):
                return self._send(handler, FAILURES["oauth_401"])
            return self._answer(handler, "oauth")
        if path == "/api/organizations":
            if "sessionKey=sk-ant-sid01-" not in cookie:
                return self._send(handler, FAILURES["expired"])
            return self._send(handler, self.failure["orgs"] or Canned(200, json.dumps(self.orgs)))
        if path.startswith("/api/organizations/") and path.endswith("/usage"):
            if "sessionKey=sk-ant-sid01-" not in cookie:
                return self._send(handler, FAILURES["expired"])
            org = path.split("/")[3]
            if org != self.org_id and self.failure["web"] is None:
                return self._send(handler, FAILURES["wrong_org"])
            return self._answer(handler, "web")
        return self._send(handler, Canned(404, json.dumps(_error("not_found_error", "Not found"))))

    def _answer(self, handler: BaseHTTPRequestHandler, route: str) -> None:
        sent = handler.headers.get("Authorization", "") + " " + handler.headers.get("Cookie", "")
        mine = [c for key, c in self.by_credential.items()
                if f"Bearer {key}" in sent or f"sessionKey={key}" in sent]
        canned = (mine[0] if mine else None) or self.failure[route] or Canned(
            200, json.dumps(self.usage))
        cookies = []
        if route == "web" and canned.status == 200:
            if self.set_cookie:
                cookies.append(f"sessionKey={self.set_cookie}; Path=/; HttpOnly")
            cookies += [f"{k}={v}; Path=/; Domain=.claude.ai; HttpOnly"
                        for k, v in self.set_cookies.items()]
        self._send(handler, canned, cookies=cookies)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, canned: Canned,
              extra: dict[str, str] | None = None, cookies: list[str] | None = None) -> None:
        if canned.delay:
            time.sleep(canned.delay)
        body = canned.body.encode("utf-8")
        try:
            handler.send_response(canned.status)
            headers = {"Content-Type": "application/json", **canned.headers, **(extra or {})}
            for name, value in headers.items():
                handler.send_header(name, value)
            for value in cookies or []:
                handler.send_header("Set-Cookie", value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
