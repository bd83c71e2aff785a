"""HTTP to our own server on this PC (status, status --watch, doctor): never through a proxy."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

# An empty ProxyHandler ignores http_proxy and friends: a proxy would answer for our own
# server (doctor called it down, status read Claude itself), or see the user's usage.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_json(url: str, timeout: float = 3.0) -> Any:
    """GET `url` directly and return its JSON; raise OSError (URLError) or ValueError."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with _DIRECT.open(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))
