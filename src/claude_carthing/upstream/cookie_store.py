"""claude.ai's Cloudflare cookies (`cf_clearance`, `__cf_bm`) in the secret store, and the
stable `anthropic-device-id` sent with them.

Beside the session key: the OS keyring when one works, else a mode-600 file in the home folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.account_scope import keyring_user
from claude_carthing.settings import write_private
from claude_carthing.upstream import credentials
from claude_carthing.upstream.cookies import CLOUDFLARE

log = logging.getLogger(__name__)

KEYRING_USER = "cloudflareCookies"
DEVICE_ID_KEY = "device_id"


def cookies_file() -> Path:
    """Return the private file that holds the Cloudflare cookies when no keyring works."""
    return paths.account_dir() / "cloudflare-cookies.json"


def _only_cloudflare(data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in CLOUDFLARE and isinstance(v, str) and v}


def read_cloudflare() -> dict[str, str]:
    """Return the stored Cloudflare cookies ({} when none)."""
    ring = credentials._keyring()
    if ring is not None:
        with contextlib.suppress(Exception):
            stored = ring.get_password(credentials.KEYRING_SERVICE, keyring_user(KEYRING_USER))
            if stored:
                return _only_cloudflare(json.loads(stored))
    try:
        return _only_cloudflare(json.loads(cookies_file().read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def store_cloudflare(cookies: dict[str, str]) -> None:
    """Replace the stored Cloudflare cookies (nothing but those two names is ever stored)."""
    kept = _only_cloudflare(cookies)
    if not kept:
        delete_cloudflare()
        return
    text = json.dumps(kept)
    ring = credentials._keyring()
    if ring is not None:
        try:
            ring.set_password(credentials.KEYRING_SERVICE, keyring_user(KEYRING_USER), text)
        except Exception:  # noqa: BLE001 - fall back to the private file
            log.warning("The OS keyring refused the Cloudflare cookies; using a private file.")
        else:
            cookies_file().unlink(missing_ok=True)
            return
    paths.ensure_account_dir()
    write_private(cookies_file(), text + "\n")


def update_cloudflare(changes: dict[str, str]) -> None:
    """Store values Claude refreshed through `Set-Cookie`, keeping the others."""
    fresh = _only_cloudflare(changes)
    if fresh:
        store_cloudflare({**read_cloudflare(), **fresh})


def delete_cloudflare() -> bool:
    """Remove the stored Cloudflare cookies; return True if anything was removed."""
    removed = False
    ring = credentials._keyring()
    if ring is not None:
        with contextlib.suppress(Exception):
            if ring.get_password(credentials.KEYRING_SERVICE, keyring_user(KEYRING_USER)):
                ring.delete_password(credentials.KEYRING_SERVICE, keyring_user(KEYRING_USER))
                removed = True
    if cookies_file().exists():
        cookies_file().unlink()
        removed = True
    return removed


def device_id() -> str:
    """Return this installation's stable `anthropic-device-id` (made once, kept in account.json)."""
    known = credentials.read_account().get(DEVICE_ID_KEY)
    if isinstance(known, str) and known:
        return known
    made = str(uuid.uuid4())
    with contextlib.suppress(OSError):
        credentials.update_account({DEVICE_ID_KEY: made}, signal=False)
    return made
