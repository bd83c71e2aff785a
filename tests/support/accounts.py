"""Several accounts in tests: stand-in sources with numbers of their own, and a service of them;
or three accounts read from the fake Claude (`make`): `personal` (the default: Claude Code's
login, the full payload), `work` (its own Claude Code folder and login: other numbers) and
`side` (a claude.ai session that Claude refuses).

The accounts are real (`accounts.add` in the test's temp home); only where each one's usage comes
from is replaced, through `build_service(..., sources=...)` or the fake Claude's answers.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from claude_carthing import accounts, errors
from claude_carthing.account_scope import using
from claude_carthing.upstream.sources import Reading
from claude_carthing.upstream.wire import parse_usage
from tests.alerts.conftest import usage_payload
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream


class Scripted:
    """A usage source answering the numbers it was last given, or failing as told."""

    name = "scripted"

    def __init__(self, five_hour: float = 30.0, weekly: float = 10.0) -> None:
        self.body: dict[str, Any] = usage_payload(five_hour, weekly=weekly)
        self.failure: errors.CarthingError | None = None
        self.reads = 0

    def set(self, five_hour: float, weekly: float = 10.0) -> None:
        """Answer these numbers from the next read on (and stop failing)."""
        self.body = usage_payload(five_hour, weekly=weekly)
        self.failure = None

    def fail(self, failure: errors.CarthingError) -> None:
        """Fail every read from now on with `failure`."""
        self.failure = failure

    def read(self) -> Reading:
        """Return the numbers, or raise the failure."""
        self.reads += 1
        if self.failure is not None:
            raise self.failure
        return Reading(parse_usage(self.body), "oauth")

    def close(self) -> None:
        """Nothing to release."""


def wait_for_every_account(service: Any, timeout: float = 15.0) -> None:
    """Wait until every account's poller has tried a read and its alerts handled it."""
    deadline = time.monotonic() + timeout
    for one in service.watched:
        while one.poller.snapshot().last_attempt_at is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"account {one.name} made no read in time")
            time.sleep(0.02)
        while one.alerts.handled < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        one.alerts.drain()


def read_all(service: Any) -> None:
    """One read now for every account, and everything it brings delivered."""
    for one in service.watched:
        one.poller.poll_once()
    for one in service.watched:
        one.alerts.drain()


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
