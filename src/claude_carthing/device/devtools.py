"""Ask the kiosk browser what it shows, through its remote-debugging port and the SSH connection."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote

from claude_carthing.device.transport import DeviceError, Transport

PAGE_TIMEOUT_S = 15.0


def open_urls(transport: Transport, port: int) -> list[str] | None:
    """Return the URLs of the browser's page targets (`GET /json`); None if we cannot ask."""
    raw = transport.http_get_local(port, "/json")
    if raw is None:
        return None
    try:
        targets = json.loads(raw)
    except ValueError as exc:
        raise DeviceError(f"127.0.0.1:{port} on the device is not a browser's debug port") from exc
    if not isinstance(targets, list):
        raise DeviceError(f"127.0.0.1:{port} on the device is not a browser's debug port")
    return [str(t.get("url", "")) for t in targets
            if isinstance(t, dict) and t.get("type", "page") in ("page", "app")]


def _same(a: str, b: str) -> bool:
    # The browser may escape characters of the query that we left as they were.
    return unquote(a).rstrip("/") == unquote(b).rstrip("/")


def confirm_page(transport: Transport, port: int | None, url: str,
                 timeout_s: float | None = None) -> tuple[bool, str]:
    """Wait until the browser shows `url`; return (confirmed, a line for the user)."""
    if port is None:
        return False, "this Nocturne has no remote-debugging port; relying on the service state."
    deadline = time.monotonic() + (PAGE_TIMEOUT_S if timeout_s is None else timeout_s)
    seen: list[str] = []
    while True:
        try:
            found = open_urls(transport, port)
        except DeviceError as exc:
            return False, (f"could not ask the browser what it shows ({exc}); relying on the"
                           " service state.")
        if found is None:
            return False, "cannot reach the browser's debug port; relying on the service state."
        seen = found
        if any(_same(u, url) for u in found):
            return True, "page loaded: the browser shows the page (checked on its debug port)."
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    from claude_carthing.device.plan import shown_url

    showing = ", ".join(shown_url(u) for u in seen) if seen else "no page at all"
    return False, (f"the kiosk restarted, but the browser shows {showing} instead of the page."
                   " Check the kiosk setting, or restart the Car Thing.")
