"""Claude Code's live sessions on this PC, kept from its hook events and status line readings."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

log = logging.getLogger(__name__)

ENDED_KEEP_S = 300.0  # an ended session is shown this long, then forgotten
SILENT_KEEP_S = 6 * 3600.0  # a session that said nothing for this long is forgotten
MAX_SESSIONS = 200  # a flood of made-up ids cannot grow the server without bound
ORDER = {"waiting": 0, "working": 1, "idle": 2, "ended": 3}
WAITING_NOTIFICATIONS = {"permission_prompt": "permission", "idle_prompt": "input",
                         "elicitation_dialog": "input", "agent_needs_input": "input"}


@dataclass(frozen=True)
class Session:
    """One Claude Code session, as the contract with the page describes it."""

    session_id: str
    project: str | None
    state: str
    since_ms: int
    waiting_for: str | None = None
    model: str | None = None
    context_pct: int | None = None
    last_failure: str | None = None
    account: str | None = None  # with several accounts: whose Claude Code it is
    heard_ms: int = 0  # when we last heard of it (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of `/api/sessions`'s list."""
        data = asdict(self)
        del data["heard_ms"]
        if data["account"] is None:  # one account: the contract of before accounts existed
            del data["account"]
        return data


def _str(value: Any, limit: int = 120) -> str | None:
    return value[:limit] if isinstance(value, str) and value.strip() else None


def _pct(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return round(min(max(float(value), 0.0), 100.0))


class Sessions:
    """The sessions, their states and since when; thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._by_id: dict[str, Session] = {}
        self.heard: dict[str, int] = {}  # hook events taken, by name (diagnostics and tests)
        self.listeners: list[Callable[[], None]] = []  # told after each change (the tray)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _get(self, event: dict[str, Any], now_ms: int, *, names: bool) -> Session | None:
        """Return the event's session, created if new; `names`: the event's project and model
        replace what we know (a status line's project folder and model name do; a hook's `cwd`
        follows `cd` and its model is an id, so they only fill in what is missing)."""
        session_id = _str(event.get("session_id"))
        if session_id is None:
            return None
        known = self._by_id.get(session_id)
        if known is None:
            if len(self._by_id) >= MAX_SESSIONS:
                self._forget(now_ms, force=True)
            known = Session(session_id, None, "idle", now_ms)
        project, model = _str(event.get("project")), _str(event.get("model"))
        if not names:
            project, model = known.project or project, known.model or model
        account = _str(event.get("account"), 24) or known.account
        return replace(known, project=project or known.project, model=model or known.model,
                       account=account, heard_ms=now_ms)

    def on_hook(self, event: dict[str, Any]) -> None:
        """Take one hook event (the fields `claude-carthing hook` sends)."""
        name = event.get("hook_event_name")
        now_ms = self._now_ms()
        with self._lock:
            session = self._get(event, now_ms, names=False)
            if session is None:
                return
            self.heard[str(name)] = self.heard.get(str(name), 0) + 1
            before = self._by_id.get(session.session_id)
            session = _next(session, str(name), event, now_ms)
            self._by_id[session.session_id] = session
        if before is None or (before.state, before.waiting_for) != (session.state,
                                                                    session.waiting_for):
            for listener in list(self.listeners):
                try:
                    listener()
                except Exception:  # a listener's bug must never lose a hook event
                    log.exception("A sessions listener failed")

    def on_statusline(self, reading: dict[str, Any]) -> None:
        """Take the session facts of a status line reading (model, context, project)."""
        now_ms = self._now_ms()
        with self._lock:
            session = self._get(reading, now_ms, names=True)
            if session is None:
                return
            pct = _pct(reading.get("context_pct"))
            self._by_id[session.session_id] = replace(
                session, context_pct=pct if pct is not None else session.context_pct)

    def _forget(self, now_ms: int, force: bool = False) -> None:
        for sid, s in list(self._by_id.items()):
            if (s.state == "ended" and now_ms - s.since_ms > ENDED_KEEP_S * 1000) or \
                    now_ms - s.heard_ms > SILENT_KEEP_S * 1000:
                del self._by_id[sid]
        if force and len(self._by_id) >= MAX_SESSIONS:
            oldest = min(self._by_id.values(), key=lambda s: s.heard_ms)
            del self._by_id[oldest.session_id]

    def current(self) -> list[Session]:
        """Return the live sessions: waiting first (longest first), working, idle, ended."""
        now_ms = self._now_ms()
        with self._lock:
            self._forget(now_ms)
            found = list(self._by_id.values())
        return sorted(found, key=lambda s: (ORDER.get(s.state, 9), s.since_ms))

    def to_json(self) -> list[dict[str, Any]]:
        """Return the `sessions` list of `/usage` and `/api/sessions`."""
        return [s.to_json() for s in self.current()]


def _state(session: Session, state: str, now_ms: int, waiting_for: str | None = None) -> Session:
    if session.state == state and session.waiting_for == waiting_for:
        return session
    return replace(session, state=state, since_ms=now_ms, waiting_for=waiting_for)


def _next(session: Session, name: str, event: dict[str, Any], now_ms: int) -> Session:
    """Return the session after one hook event."""
    if name == "SessionStart":
        return replace(_state(session, "idle", now_ms), last_failure=None)
    if name in ("UserPromptSubmit", "PostToolUse"):
        return replace(_state(session, "working", now_ms), last_failure=None)
    if name == "PermissionRequest":
        return _state(session, "waiting", now_ms, "permission")
    if name == "Notification":
        waiting_for = WAITING_NOTIFICATIONS.get(str(event.get("notification_type")))
        if waiting_for is None or session.state == "ended":
            return session
        if waiting_for == "input" and session.state == "working":
            return session  # an idle prompt raced a new prompt: the prompt wins
        return _state(session, "waiting", now_ms, waiting_for)
    if name == "Stop":
        return _state(session, "idle", now_ms)
    if name == "StopFailure":
        failure = _str(event.get("error"), 40) or "unknown"
        return replace(_state(session, "idle", now_ms), last_failure=failure)
    if name == "SessionEnd":
        return _state(session, "ended", now_ms)
    return session
