"""One small JSON POST to the local server with a hard deadline (standard library only).

A raw HTTP/1.1 request over the C socket module: http.client would import the email package and
ssl, and `socket` itself selectors, array and enum, which cost the hot commands more than the
whole request does.
"""

import _socket
import time

TYPE_CHECKING = False  # typing itself costs the hot commands a few ms
if TYPE_CHECKING:
    from typing import Any
else:
    Any = object  # evaluated in signatures at import; no __future__ import either

from claude_carthing.claude_code import endpoint, tinyjson

DEADLINE_S = 0.7  # the whole exchange, connect to last byte: with start-up, under 1 s


def post_json(path: str, payload: dict[str, Any], deadline_s: float = DEADLINE_S) -> Any:
    """POST `payload` to the local server; return the decoded JSON answer, or None on any
    failure (server down, hung, refused, a body that is not JSON). Never raises."""
    try:
        host, port = endpoint.read()
        return _exchange(host, port, path, tinyjson.dumps(payload).encode("ascii"), deadline_s)
    except Exception:  # noqa: BLE001 - the hot commands must never fail Claude Code
        return None


def _exchange(host: str, port: int, path: str, body: bytes, deadline_s: float) -> Any:
    end = time.monotonic() + deadline_s
    shown = f"[{host}]" if ":" in host else host
    head = (f"POST {path} HTTP/1.1\r\nHost: {shown}:{port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("ascii")
    family = _socket.AF_INET6 if ":" in host else _socket.AF_INET
    sock = _socket.socket(family, _socket.SOCK_STREAM)
    try:
        sock.settimeout(deadline_s)
        sock.connect((host, port))
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        sock.settimeout(max(end - time.monotonic(), 0.01))
        sock.sendall(head + body)
        data = b""
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > 1_000_000:
                return None
            if _complete(data):
                break
    finally:
        sock.close()
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    status = head_bytes.split(b" ", 2)
    if len(status) < 2 or not status[1].startswith(b"2") or not rest:
        return None
    return tinyjson.loads(rest.decode("utf-8"))


def _complete(data: bytes) -> bool:
    """True once the headers and Content-Length bytes of body have arrived."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(rest) >= int(value.strip())
            except ValueError:
                return False
    return False  # no length: read until the server closes
