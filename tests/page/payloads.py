"""Upstream usage bodies (Claude's own shape) with reset times relative to now."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any


def iso(epoch_s: float) -> str:
    """Return an ISO 8601 UTC time as Claude writes it."""
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc).isoformat()


def window(util: float, resets_in_s: float | None, now: float | None = None) -> dict[str, Any]:
    """A legacy window object resetting `resets_in_s` from now (None = no reset time)."""
    now = time.time() if now is None else now
    return {"utilization": util, "resets_at": None if resets_in_s is None else iso(now + resets_in_s)}


def usage(five_hour: float = 23.0, seven_day: float = 41.0, sonnet: float | None = 86.0,
          extra_used_minor: int | None = 1250, now: float | None = None) -> dict[str, Any]:
    """A plan with a 5-hour, a weekly and (optionally) a Sonnet weekly window, plus extra usage."""
    now = time.time() if now is None else now
    body: dict[str, Any] = {
        "five_hour": window(five_hour, 2 * 3600 + 14 * 60 + 40, now),
        "seven_day": window(seven_day, 3 * 86400 + 4 * 3600 + 30 * 60, now),
        "seven_day_sonnet": None if sonnet is None else window(sonnet, 3 * 86400 + 4 * 3600 + 30 * 60, now),
        "seven_day_opus": None,
    }
    if extra_used_minor is not None:
        body["extra_usage"] = {"is_enabled": True, "monthly_limit": 5000, "used_credits": extra_used_minor,
                               "utilization": extra_used_minor / 50, "currency": "USD", "decimal_places": 2}
    return body


def session(project: str, state: str, for_s: float, *, now: float | None = None,
            waiting_for: str | None = None, model: str | None = "Opus 4.5",
            context_pct: int | None = 42, last_failure: str | None = None,
            session_id: str | None = None) -> dict[str, Any]:
    """One Claude Code session as the server sends it in /usage `sessions` (issue 18 contract),
    in `state` since `for_s` seconds before `now`."""
    now = time.time() if now is None else now
    return {"session_id": session_id or f"{project}-{state}-0000", "project": project,
            "state": state, "since_ms": int((now - for_s) * 1000),
            "waiting_for": waiting_for if state == "waiting" else None, "model": model,
            "context_pct": context_pct, "last_failure": last_failure}


def sessions(now: float | None = None) -> list[dict[str, Any]]:
    """A PC with one session waiting for a permission, one working, one idle, one ended after a
    rate limit, in the server's order (waiting, working, idle, ended)."""
    now = time.time() if now is None else now
    return [session("my-project", "waiting", 3 * 60 + 5, now=now, waiting_for="permission"),
            session("claude-carthing", "working", 12 * 60, now=now, model="Sonnet 4.5",
                    context_pct=67),
            session("notes", "idle", 65 * 60, now=now, model="Haiku 4.5", context_pct=8),
            session("website", "ended", 4 * 60, now=now, context_pct=None,
                    last_failure="rate_limit")]


def many_sessions(now: float | None = None) -> list[dict[str, Any]]:
    """Seven sessions, three waiting (a long name among them): more than the screen has rows for."""
    now = time.time() if now is None else now
    return [session("api-gateway", "waiting", 9 * 60, now=now, waiting_for="input"),
            session("a-rather-long-project-folder-name-indeed", "waiting", 5 * 60, now=now,
                    waiting_for="permission"),
            session("my-project", "waiting", 40, now=now, waiting_for="input"),
            session("claude-carthing", "working", 2 * 3600 + 5 * 60, now=now),
            session("docs", "working", 30, now=now, model=None, context_pct=None),
            session("notes", "idle", 26 * 3600, now=now, last_failure="overloaded_error"),
            session("website", "ended", 90, now=now)]
