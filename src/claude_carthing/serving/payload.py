"""The JSON documents the server answers with, built from a poller snapshot."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from claude_carthing import __version__
from claude_carthing.projection import level, project

if TYPE_CHECKING:
    from claude_carthing.poller import Snapshot

# Always present at the top level, as in the upstream's legacy shape (null = no such limit).
LEGACY_ALWAYS = ("five_hour", "seven_day", "seven_day_sonnet", "seven_day_opus")
RESERVED = {"windows", "extra_usage", "plan", "meta", "error", "status", "sessions"}
Series = Mapping[str, Sequence[Sequence[float]]]


def utc_offset_minutes(at: float) -> int:
    """Return the host's UTC offset in minutes at epoch seconds `at`."""
    offset = datetime.fromtimestamp(at).astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _ms(epoch_s: float | None) -> int | None:
    return None if epoch_s is None else int(epoch_s * 1000)


def meta(snap: Snapshot, now: float) -> dict[str, Any]:
    """Return the `meta` object: state, freshness, errors in words, and the PC's clock."""
    fetched = snap.last_success_at
    return {
        "state": snap.state,
        "stale": snap.stale,
        "waking": snap.waking,  # the PC just woke: numbers from before it slept, a read is due
        "demo": snap.source == "demo",
        "configured": snap.configured,
        "source": snap.source,
        "fetched_at": (
            datetime.fromtimestamp(fetched, tz=timezone.utc).isoformat() if fetched else None
        ),
        "fetched_at_ms": _ms(fetched),
        "last_success_at_ms": _ms(fetched),
        "last_attempt_at_ms": _ms(snap.last_attempt_at),
        "last_error": snap.last_error,
        "error_kind": snap.error_kind,
        "paused": snap.paused,
        "server_time_ms": _ms(now),
        "utc_offset_minutes": utc_offset_minutes(now),
        "poll_interval_s": snap.interval,  # the wait in effect: stretched while usage is idle
        "normal_interval_s": snap.normal_interval,
        "poll_mode": snap.poll_mode,  # why the next read comes when it does
        "next_poll_at_ms": _ms(snap.next_poll_at),
        "version": __version__,
    }


def window_json(window: dict[str, Any], points: Sequence[Sequence[float]], now: float,
                offset_min: int) -> dict[str, Any]:
    """Add the colour level and the projection (one rule for every display) to a window."""
    window["level"] = level(window.get("utilization"), window.get("severity"))
    window["projection"] = project(window, points, now * 1000, offset_min)
    return window


def usage_document(snap: Snapshot, now: float | None = None, *, series: Series | None = None,
                   night: str | None = None) -> dict[str, Any]:
    """Return the `/usage` body: legacy window objects plus our normalized keys.

    `series` is the recent history per window id ([(epoch ms, %), ...]) for the projections;
    `night` the dimming schedule ("22:00-07:00", or "off") the page follows.
    """
    now = time.time() if now is None else now
    offset = utc_offset_minutes(now)
    series = series or {}
    doc: dict[str, Any] = dict.fromkeys(LEGACY_ALWAYS)
    usage = snap.usage
    if usage is not None:
        for window in usage.windows:
            if window.id in RESERVED:
                continue
            doc[window.id] = {
                "utilization": window.utilization,
                "resets_at": window.resets_at.isoformat() if window.resets_at else None,
            }
    else:
        doc["error"] = snap.last_error or "Waiting for the first reading from Claude..."
    doc["windows"] = [
        window_json(w.to_json(), series.get(w.id, ()), now, offset) for w in usage.windows
    ] if usage else []
    extra = usage.extra_usage if usage else None
    doc["extra_usage"] = extra.to_json() if extra else None
    doc["plan"] = snap.plan.to_json() if snap.plan and snap.plan.name else None
    doc["meta"] = meta(snap, now)
    if night is not None:
        doc["meta"]["night"] = night
    return doc


def account_entry(name: str, default: bool, doc: dict[str, Any]) -> dict[str, Any]:
    """Return one account of `/api/accounts` from its `/usage` document: its name, state, plan
    and normalized windows."""
    return {
        "name": name,
        "default": default,
        "state": doc["meta"]["state"],
        "plan": doc["plan"],
        "windows": doc["windows"],
        "extra_usage": doc["extra_usage"],
        "error": doc["meta"]["last_error"],
        "meta": doc["meta"],
    }


def health_document(snap: Snapshot) -> dict[str, Any]:
    """Return the `/health` body: always `status: ok` while serving, plus poller state."""
    return {
        "status": "ok",
        "has_data": snap.usage is not None,
        "state": snap.state,
        "stale": snap.stale,
        "last_success_at_ms": _ms(snap.last_success_at),
        "last_error": snap.last_error,
        "error_kind": snap.error_kind,
        "next_poll_at_ms": _ms(snap.next_poll_at),
        "poll_mode": snap.poll_mode,
        "source": snap.source,
        "version": __version__,
    }
