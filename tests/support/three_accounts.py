"""Three accounts for the tests: `personal` (the default: Claude Code's login, the full
payload), `work` (its own Claude Code folder and login: other numbers) and `side` (a claude.ai
session that Claude refuses)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from claude_carthing import accounts
from claude_carthing.account_scope import using
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream

WORK_TOKEN = "sk-ant-oat01-FAKE-canary-work-token-0000"
SIDE_KEY = "sk-ant-sid01-FAKE-canary-side-key-0000"


def work_dir(tmp_path: Path) -> Path:
    """Return work's Claude Code folder (made)."""
    folder = tmp_path / "claude-work"
    folder.mkdir(exist_ok=True)
    return folder


def make(upstream: FakeUpstream, work_folder: Path) -> FakeUpstream:
    """Add the three accounts, their logins, and their answers on the fake Claude."""
    accounts.rename("default", "personal")
    work = accounts.add("work", work_folder)
    side = accounts.add("side")
    creds.write_oauth()  # personal: Claude Code's login in $CLAUDE_CONFIG_DIR
    # work's own Claude Code login, in its own folder (as Claude Code writes it)
    (work_folder / ".credentials.json").write_text(json.dumps({"claudeAiOauth": {
        "accessToken": WORK_TOKEN, "expiresAt": int((time.time() + 8 * 3600) * 1000),
        "scopes": ["user:inference", "user:profile"], "subscriptionType": "team",
        "rateLimitTier": "default_claude_team"}}), encoding="utf-8")
    assert work.config_dir is not None
    with using(side):
        creds.write_web(SIDE_KEY, org_id=upstream.org_id)
    upstream.answer_for(WORK_TOKEN, "limits_only")
    upstream.answer_for(SIDE_KEY, "expired")
    return upstream
