"""Obviously fake credentials, written where the program looks for them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

FAKE_OAUTH_TOKEN = "sk-ant-oat01-FAKE-canary-oauth-token-0000"
FAKE_SESSION_KEY = "sk-ant-sid01-FAKE-canary-session-key-0000"
CANARY = "FAKE-canary"


def claude_dir() -> Path:
    """Return the Claude Code folder the tests point CLAUDE_CONFIG_DIR at."""
    return Path(os.environ["CLAUDE_CONFIG_DIR"])


def write_oauth(*, expires_in_s: float = 8 * 3600, token: str = FAKE_OAUTH_TOKEN,
                scopes: tuple[str, ...] = ("user:inference", "user:profile")) -> Path:
    """Write a Claude Code credentials file like Claude Code does."""
    folder = claude_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".credentials.json"
    data = {"claudeAiOauth": {
        "accessToken": token, "refreshToken": "sk-ant-ort01-FAKE-canary-refresh-0000",
        "expiresAt": int((time.time() + expires_in_s) * 1000), "scopes": list(scopes),
        "subscriptionType": "max", "rateLimitTier": "default_claude_max_20x"}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def write_web(session_key: str = FAKE_SESSION_KEY, org_id: str | None = None) -> None:
    """Store a session key the way `login` does (file store; tests disable the keyring)."""
    from claude_carthing.upstream import credentials

    account = {"org_id": org_id} if org_id else {}
    credentials.store_web(session_key, account)
