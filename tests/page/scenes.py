"""Every state the page can be in, as the real server's documents (payload.usage_document).

Used by the layout checks (sizes, contrast, clipping, keys) and by the gallery. Each scene is
the `/usage` body and the `/api/history` series a page would get from the server at `now`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tests.page import payloads

from claude_carthing.demo import demo_usage
from claude_carthing.models import ExtraUsage, Plan, Usage, Window
from claude_carthing.poller import Snapshot
from claude_carthing.serving.payload import usage_document

H = 3600.0
DAY = 86400.0


@dataclass
class Scene:
    """A `/usage` document and its history; `served=False` means the server does not answer."""

    name: str
    doc: dict[str, Any] | None
    series: dict[str, list[list[float]]] = field(default_factory=dict)
    served: bool = True
    cached: bool = False  # shown from the page's cache while the server is away
    screen: str = "data"
    # Issue 20: several accounts, the default first: name -> (its /usage document, its history).
    # `doc` is then the default account's. None: a server of one account, as before.
    accounts: dict[str, tuple[dict[str, Any], dict[str, list[list[float]]]]] | None = None

    def usage(self, query: str) -> tuple[int, dict[str, Any]]:
        """Return the status and body of `/usage?{query}` (`account=NAME` picks one account)."""
        assert self.doc is not None
        name = _account(query)
        if self.accounts is None:
            return 200, self.doc
        if not name:
            return 200, self.doc
        found = next((k for k in self.accounts if k.lower() == name.lower()), None)
        if found is None:
            return 404, {"error": f"no account named {name!r}", "accounts": list(self.accounts)}
        return 200, self.accounts[found][0]

    def history(self, query: str) -> dict[str, list[list[float]]]:
        """Return the history series `/api/history?{query}` answers (per account)."""
        name = _account(query)
        if self.accounts is None or not name:
            return self.series
        found = next((k for k in self.accounts if k.lower() == name.lower()), None)
        return self.accounts[found][1] if found else {}

    def overview(self) -> dict[str, Any] | None:
        """Return the `/api/accounts` body, or None when the server has one account only."""
        if self.accounts is None:
            return None
        entries = []
        for i, (name, (doc, _series)) in enumerate(self.accounts.items()):
            meta = doc["meta"]
            entries.append({"name": name, "default": i == 0, "state": meta["state"],
                            "plan": doc.get("plan"), "windows": doc.get("windows", []),
                            "extra_usage": doc.get("extra_usage"), "error": meta.get("last_error"),
                            "meta": meta})
        first = next(iter(self.accounts.values()))[0]["meta"]
        return {"accounts": entries, "server_time_ms": first["server_time_ms"],
                "utc_offset_minutes": first["utc_offset_minutes"]}


def _account(query: str) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs(query).get("account")
    return values[0] if values else None


def _at(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


def _series(now: float, spec: dict[str, tuple[float, float, float]]) -> dict[str, list[list[float]]]:
    """Five-minute readings climbing to each window's value since its own start (id: start, top, period)."""
    out: dict[str, list[list[float]]] = {}
    for wid, (start_s, top, _period) in spec.items():
        pts = []
        t = max(now - 7 * DAY, start_s)
        steps = max(1, int((now - t) // 300))
        step = 300 if steps < 2100 else (now - t) / 2000
        i = 0
        while t <= now:
            share = i * step / max(1.0, now - max(now - 7 * DAY, start_s))
            pts.append([int(t * 1000), round(top * share ** 1.2 + 0.3 * math.sin(i / 7), 1)])
            t += step
            i += 1
        pts[-1][1] = top
        out[wid] = pts
    return out


def _usage(now: float, values: list[tuple[str, str, str, float, float, str | None]],
           extra: ExtraUsage | None) -> tuple[Usage, dict[str, list[list[float]]]]:
    windows = []
    spec = {}
    for wid, label, group, used, reset_in, severity in values:
        windows.append(Window(wid, label, group, used, _at(now + reset_in), severity,
                              model=label.split(" · ")[1] if " · " in label else None))
        period = 5 * H if group == "session" else 7 * DAY
        spec[wid] = (now + reset_in - period, used, period)
    return Usage(windows=tuple(windows), extra_usage=extra), _series(now, spec)


def _doc(snap: Snapshot, now: float, series: dict[str, list[list[float]]],
         **meta: Any) -> dict[str, Any]:
    doc = usage_document(snap, now, series=series, night="off")
    doc["meta"].update(meta)
    return doc


def _live(now: float, values: list[Any], extra: ExtraUsage | None = None, *,
          source: str = "oauth", history: bool = True, **kw: Any) -> tuple[dict[str, Any], Any]:
    usage, series = _usage(now, values, extra)
    if not history:
        series = {}
    snap = Snapshot(usage=usage, plan=Plan("Max"), source=source, last_success_at=now - 120,
                    last_attempt_at=now - 120, next_poll_at=now + 180, **kw)
    return _doc(snap, now, series, poll_mode="normal"), series


THREE = [("five_hour", "5-hour", "session", 23.0, 2 * H + 14 * 60, "normal"),
         ("seven_day", "Weekly", "weekly", 64.0, 3 * DAY + 4 * H, "normal"),
         ("seven_day_sonnet", "Weekly · Sonnet", "weekly", 86.0, 3 * DAY + 4 * H, "warning")]
SIX = [*THREE,
       ("seven_day_opus", "Weekly · Opus", "weekly", 12.0, 3 * DAY + 4 * H, "normal"),
       ("seven_day_fable", "Weekly · Fable", "weekly", 97.0, 3 * DAY + 4 * H, "critical"),
       ("seven_day_cowork", "Weekly · Claude Design", "weekly", 41.0, 3 * DAY + 4 * H, "normal")]
EXTRA = ExtraUsage(True, 12.5, 50.0, 25.0, "USD")


def build(now: float) -> dict[str, Scene]:
    """Return every scene at epoch seconds `now`, by name."""
    scenes: dict[str, Scene] = {}

    def add(name: str, doc: dict[str, Any] | None, series: Any = None, **kw: Any) -> None:
        scenes[name] = Scene(name, doc, series or {}, **kw)

    add("loading", None, served=False, screen="loading")
    add("unreachable", None, served=False, screen="unreachable")
    add("not-configured", _doc(Snapshot(configured=False, source=None,
                                        last_error="Not logged in", error_kind="not_configured"),
                               now, {}, poll_mode="paused"), screen="not_configured")
    add("waiting", _doc(Snapshot(source="oauth", next_poll_at=now + 20), now, {}), screen="waiting")
    add("no-data", _doc(Snapshot(source="web", last_error="Claude's servers answered 500",
                                 error_kind="server", last_attempt_at=now - 30,
                                 next_poll_at=now + 240), now, {}, poll_mode="backoff"),
        screen="error")
    doc, series = _live(now, THREE, EXTRA)
    add("live", doc, series)
    calm = [("five_hour", "5-hour", "session", 18.0, 3 * H + 40 * 60, "normal"),
            ("seven_day", "Weekly", "weekly", 34.0, 2 * DAY + 9 * H, "normal"),
            ("seven_day_sonnet", "Weekly · Sonnet", "weekly", 12.0, 2 * DAY + 9 * H, "normal")]
    doc, series = _live(now, calm)
    add("calm", doc, series)
    doc, series = _live(now, THREE[:2], history=False)
    add("live-no-history", doc, series)
    doc, series = _live(now, SIX, EXTRA, source="claude-code")
    add("live-six", doc, series)
    doc, series = _live(now, THREE, EXTRA, source="web", last_error="Cloudflare challenge (403)",
                        error_kind="cloudflare")
    add("stale", doc, series)
    doc, series = _live(now, THREE, EXTRA)
    add("cached", doc, series, cached=True)
    doc, series = _live(now, THREE, None)
    doc["meta"].update(poll_mode="idle", poll_interval_s=1800,
                       last_success_at_ms=int((now - 40 * 60) * 1000),
                       fetched_at_ms=int((now - 40 * 60) * 1000),
                       next_poll_at_ms=int((now + 24 * 60 + 30) * 1000))
    add("idle", doc, series)
    demo_series: dict[str, list[list[float]]] = {}
    for k in range(7 * 288, -1, -1):
        at = now - k * 300
        for w in demo_usage(at).windows:
            demo_series.setdefault(w.id, []).append([int(at * 1000), w.utilization])
    snap = Snapshot(usage=demo_usage(now), plan=Plan("Demo"), source="demo",
                    last_success_at=now - 20, next_poll_at=now + 40, interval=60)
    add("demo", _doc(snap, now, demo_series), demo_series)
    _add_sessions(now, add)
    _add_accounts(now, scenes)
    return scenes


def _add_sessions(now: float, add: Callable[..., None]) -> None:
    """Issue 18: Claude Code sessions in /usage, and the "waiting for you" banner on every view."""
    doc, series = _live(now, THREE, EXTRA)
    doc["sessions"] = payloads.sessions(now)
    add("sessions", doc, series)
    # The tightest screen: six cards, the stale banner and the waiting banner, seven sessions.
    doc, series = _live(now, SIX, EXTRA, source="web", last_error="Cloudflare challenge (403)",
                        error_kind="cloudflare")
    doc["sessions"] = payloads.many_sessions(now)
    add("sessions-many-stale", doc, series)
    # Not logged in to Claude, yet Claude Code's hooks still report its sessions.
    doc = _doc(Snapshot(configured=False, source=None, last_error="Not logged in",
                        error_kind="not_configured"), now, {}, poll_mode="paused")
    doc["sessions"] = payloads.sessions(now)[:2]
    add("sessions-not-configured", doc, screen="not_configured")


WORK = [("five_hour", "5-hour", "session", 71.0, 1 * H + 5 * 60, "normal"),
        ("seven_day", "Weekly", "weekly", 38.0, 5 * DAY + 2 * H, "normal"),
        ("seven_day_opus", "Weekly · Opus", "weekly", 55.0, 5 * DAY + 2 * H, "normal"),
        ("seven_day_sonnet", "Weekly · Sonnet", "weekly", 9.0, 5 * DAY + 2 * H, "normal")]
TEAM = [("five_hour", "5-hour", "session", 4.0, 4 * H + 30 * 60, "normal"),
        ("seven_day", "Weekly", "weekly", 91.0, 1 * DAY + 6 * H, "warning"),
        ("seven_day_cowork", "Weekly · Claude Design", "weekly", 100.0, 1 * DAY + 6 * H, "critical")]
LAB = [("five_hour", "5-hour", "session", 12.0, 3 * H, "normal"),
       ("seven_day", "Weekly", "weekly", 27.0, 6 * DAY, "normal")]


def _add_accounts(now: float, scenes: dict[str, Scene]) -> None:
    """Issue 20: a PC server watching several Claude accounts (meta.accounts, /api/accounts)."""

    def live(values: list[Any], **kw: Any) -> tuple[dict[str, Any], Any]:
        return _live(now, values, **kw)

    personal = live(THREE, extra=EXTRA)
    # Failing: Cloudflare blocks the reads, the last good numbers stay (state stale).
    work = live(WORK, source="web", last_error="Cloudflare challenge (403)", error_kind="cloudflare")
    team = live(TEAM, source="claude-code")
    # Never read: Claude's servers fail and there is no number yet (state error).
    lab = (_doc(Snapshot(source="oauth", last_error="Claude's servers answered 500",
                         error_kind="server", last_attempt_at=now - 30, next_poll_at=now + 240),
                now, {}, poll_mode="backoff"), {})
    sets = {"accounts-1": {"personal": personal},
            "accounts-2": {"personal": personal, "work": work},
            "accounts-3": {"personal": personal, "work": work, "team": team},
            "accounts-4": {"personal": personal, "work": work, "team": team, "lab": lab}}
    for name, chosen in sets.items():
        docs: dict[str, Any] = {}
        for account, (base, series) in chosen.items():
            meta = {**base["meta"], "account": account, "accounts": list(chosen)}
            docs[account] = ({**base, "meta": meta}, series)
        first_doc, first_series = next(iter(docs.values()))
        scenes[name] = Scene(name, first_doc, first_series, accounts=docs)


_ALL = build(1_800_000_000.0)
NAMES = tuple(n for n, s in _ALL.items() if s.accounts is None)
ACCOUNT_SCENES = tuple(n for n, s in _ALL.items() if s.accounts is not None)
SESSION_SCENES = tuple(n for n in NAMES if _ALL[n].doc and "sessions" in (_ALL[n].doc or {}))
DATA_SCENES = tuple(n for n in NAMES if _ALL[n].screen == "data")
Builder = Callable[[float], dict[str, Scene]]
