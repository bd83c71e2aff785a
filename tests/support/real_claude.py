"""The real Claude Code (npm @anthropic-ai/claude-code@2.1.332), set up to run offline."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

ENV = "CLAUDE_CARTHING_CLAUDE_CODE"
DEFAULT = (Path.home() / ".cache" / "claude-carthing" / "claude-code" / "node_modules" /
           "@anthropic-ai" / "claude-code-linux-x64" / "claude")


def binary() -> Path:
    """Return the real `claude`, or skip (a skip fails strict CI, which installs it)."""
    path = Path(os.environ.get(ENV) or DEFAULT)
    if not path.is_file():
        pytest.skip(f"the real Claude Code is not installed at {path} (.ci/run installs it)")
    return path


def prepare_config(config: Path, project: Path) -> None:
    """Fake subscriber login, first-run screens done, the project folder trusted."""
    config.mkdir(parents=True, exist_ok=True)
    creds = {"claudeAiOauth": {
        "accessToken": "sk-ant-oat01-FAKE-e2e-token-0000",
        "refreshToken": "sk-ant-ort01-FAKE-e2e-refresh-0000",
        "expiresAt": int((time.time() + 8 * 3600) * 1000),
        "scopes": ["user:inference", "user:profile", "user:sessions:claude_code"],
        "subscriptionType": "max", "rateLimitTier": "default_claude_max_20x"}}
    (config / ".credentials.json").write_text(json.dumps(creds), encoding="utf-8")
    state = {"hasCompletedOnboarding": True, "theme": "dark",
             "projects": {str(project): {"hasTrustDialogAccepted": True}}}
    (config / ".claude.json").write_text(json.dumps(state), encoding="utf-8")


def environment(config: Path, api_url: str, home: Path) -> dict[str, str]:
    """Return the environment for `claude`: only what it needs, nothing of the host's."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "CLAUDE_CONFIG_DIR": str(config),
        "CLAUDE_CARTHING_HOME": os.environ["CLAUDE_CARTHING_HOME"],
        "ANTHROPIC_BASE_URL": api_url,
        "DISABLE_TELEMETRY": "1",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
