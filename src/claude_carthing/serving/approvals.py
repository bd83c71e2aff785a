"""Claude Code's permission requests waiting for a press of the Car Thing's dial.

Fail-closed: a request is allowed only by `answer(id, "allow")`, which the answer route calls
after checking the secret and who is asking. Everything else (the timeout, the hook's
connection closing, a later event of the same session, a restart) ends it without a decision,
and Claude Code's own dialog stays.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SECRET_FILE = "approval-secret"  # noqa: S105 - a file name
DEFAULT_TIMEOUT_S = 120.0
MAX_SHOWN = 4000
KINDS = ("command", "path", "url", "input")
LOG_PREFIX = 24  # the most of a command a log line holds
KEEP_RESOLVED_S = 30.0  # how long an answered request is remembered (to refuse late answers)
MAX_PENDING = 50
# Events of a session that mean its permission dialog was answered: the tool ran or failed,
# the next tool or prompt started, or the session stopped. Not Notification: Claude Code sends
# `permission_prompt` about 6 s after the request while the dialog is still open.
MOVED_ON = frozenset({"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionDenied",
                      "UserPromptSubmit", "Stop", "StopFailure", "SessionEnd"})
DECISIONS = ("allow", "deny")


def load_secret(path: Path) -> str:
    """Return the approvals secret, made once and kept readable by the user alone."""
    from claude_carthing.settings import write_private

    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if len(text) >= 32 and text.isalnum():
        return text
    text = secrets.token_hex(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, text + "\n")
    return text


def serving_secret(path: Path) -> str:
    """Return the secret the server answers with. When it cannot be stored (a read-only home)
    the server still serves, with a secret no device or hook can know: nobody can approve."""
    try:
        return load_secret(path)
    except OSError as exc:
        why = exc.strerror or exc
        log.error("Approvals from the Car Thing are off: cannot write %s (%s)",  # noqa: TRY400
                  path, why)
        return secrets.token_hex(24)


def same_secret(given: Any, secret: str) -> bool:
    """True when `given` is the secret (compared in constant time)."""
    return (isinstance(given, str) and bool(given) and bool(secret)
            and hmac.compare_digest(given.encode(), secret.encode()))


@dataclass
class Pending:
    """One permission request."""

    id: str
    session: str | None
    project: str | None
    tool: str
    kind: str
    text: str
    cut: bool  # the hook could not send all of it: it may be denied, never allowed
    created: float  # wall clock, seconds
    expires: float  # monotonic
    outcome: str | None = None  # allow, deny, timeout, terminal
    by: str | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "project": self.project, "tool": self.tool, "kind": self.kind,
                "text": self.text, "cut": self.cut, "created_ms": int(self.created * 1000)}


class Approvals:
    """The pending requests, oldest first. Used from the event loop only."""

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.timeout_s = timeout_s
        self.clock = clock
        self.monotonic = monotonic
        self.items: dict[str, Pending] = {}

    def add(self, body: dict[str, Any]) -> Pending | None:
        """Record a request from the hook; None when too many wait already."""
        self._expire()
        if sum(1 for p in self.items.values() if p.outcome is None) >= MAX_PENDING:
            return None
        tool = str(body.get("tool_name") or "a tool")[:80]
        kind, text = body.get("kind"), body.get("text")
        if kind not in KINDS or not isinstance(text, str):
            kind, text = "input", ""
        session, project = body.get("session_id"), body.get("project")
        item = Pending(id=secrets.token_urlsafe(12),
                       session=session[:200] if isinstance(session, str) else None,
                       project=project[:200] if isinstance(project, str) else None,
                       tool=tool, kind=str(kind), text=text[:MAX_SHOWN],
                       cut=bool(body.get("cut")) or len(text) > MAX_SHOWN, created=self.clock(),
                       expires=self.monotonic() + self.timeout_s)
        self.items[item.id] = item
        return item

    def pending(self) -> list[Pending]:
        """Return the requests still waiting, oldest first."""
        self._expire()
        return [p for p in self.items.values() if p.outcome is None]

    def answer(self, request_id: str, decision: str, by: str) -> tuple[bool, str]:
        """Decide a waiting request; return (done, why not). Single use."""
        self._expire()
        item = self.items.get(request_id)
        if item is None:
            return False, "no such request"
        if item.outcome is not None:
            return False, {"terminal": "answered in the terminal",
                           "timeout": "it timed out"}.get(item.outcome, "already answered")
        if decision not in DECISIONS:
            return False, "the decision must be allow or deny"
        if decision == "allow" and (item.cut or not item.text):
            return False, "this request is too long to show in full: answer it in the terminal"
        self._resolve(item, decision, by)
        return True, ""

    def moved_on(self, session: Any, event: Any, at_ms: Any = None) -> None:
        """A later hook event of `session`: its waiting requests were answered in the terminal.

        An event the hook stamped before a request was made (a late async PostToolUse of the
        previous tool) ends nothing."""
        if not isinstance(session, str) or event not in MOVED_ON:
            return
        for item in self.pending():
            if isinstance(at_ms, (int, float)) and at_ms < item.created * 1000:
                continue
            if item.session == session:
                self._resolve(item, "terminal", "terminal")

    def gone(self, item: Pending) -> None:
        """The hook's connection closed before a decision: Claude Code moved on."""
        if item.outcome is None:
            self._resolve(item, "terminal", "terminal")

    def timed_out(self, item: Pending) -> None:
        if item.outcome is None:
            self._resolve(item, "timeout", "nobody")

    def _expire(self) -> None:
        now = self.monotonic()
        for item in list(self.items.values()):
            if item.outcome is None and now >= item.expires:
                self._resolve(item, "timeout", "nobody")
            elif item.outcome is not None and now >= item.expires + KEEP_RESOLVED_S:
                del self.items[item.id]

    def _resolve(self, item: Pending, outcome: str, by: str) -> None:
        item.outcome, item.by = outcome, by
        item.done.set()
        words = {"allow": "allowed", "deny": "denied", "timeout": "timed out",
                 "terminal": "answered in the terminal"}[outcome]
        prefix = item.text[:LOG_PREFIX] + ("…" if len(item.text) > LOG_PREFIX else "")
        who = f" by the {by}" if outcome in DECISIONS else ""
        log.info("permission request %s%s: %s in %s (%s)", words, who, item.tool,
                 item.project or "an unnamed project", prefix)
