"""Several accounts in the web layer: which poller a request means, and `GET /api/accounts`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from claude_carthing.account_scope import Account
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.i18n.languages import resolve
from claude_carthing.poller import Poller
from claude_carthing.serving.envelope import answer, json_response
from claude_carthing.serving.metrics import ReadCounter
from claude_carthing.serving.payload import account_entry, usage_document, utc_offset_minutes
from claude_carthing.settings import Settings

MAX_HISTORY_HOURS = 24 * 40
Endpoint = Callable[[Request], Response]

PROJECTION_HOURS = 25  # the weekly pace looks back a day


@dataclass
class Watched:
    """One account the server shows: its poller, its history and its alerts."""

    account: Account
    poller: Poller
    history: Any = None  # history.AccountHistory (or any object with `series`)
    alerts: Any = None  # alerts.dispatch.Alerts
    reads: ReadCounter = field(default_factory=ReadCounter)
    _recent: dict[str, Any] = field(default_factory=lambda: {"at": None, "series": {}})

    @property
    def name(self) -> str:
        """The account's name."""
        return self.account.name

    def recent_series(self) -> dict[str, Any]:
        """Return the last day of readings per window (the projections' input), cached until
        the next successful read."""
        snap = self.poller.snapshot()
        if self.history is not None and snap.last_success_at != self._recent["at"]:
            self._recent["series"] = self.history.series(
                self.poller.clock() - PROJECTION_HOURS * 3600)
            self._recent["at"] = snap.last_success_at
        return dict(self._recent["series"])


class Board:
    """Every account shown, the default first, found by name (any case)."""

    def __init__(self, watched: Sequence[Watched]) -> None:
        self.watched = list(watched)

    @property
    def default(self) -> Watched:
        """The default account's."""
        return self.watched[0]

    def names(self) -> list[str]:
        """Every account's name, the default first."""
        return [w.name for w in self.watched]

    def find(self, name: str | None) -> Watched | None:
        """Return the account called `name` (None or "": the default), None if there is none."""
        if not name:
            return self.default
        return next((w for w in self.watched if w.name.lower() == name.lower()), None)

    def unknown(self, name: str) -> dict[str, Any]:
        """Return the error body for an account name nobody has."""
        return {"error": f"no account named {name!r}", "accounts": self.names()}


def per_account_routes(board: Board, settings: Settings,
                       sessions: Sessions) -> tuple[Endpoint, list[Route]]:
    """Return the `/usage` handler and the routes that answer for one account
    (`?account=NAME`, the default without it) or for all of them (`/api/accounts`)."""
    language = resolve(settings.language)

    def document(one: Watched) -> dict[str, Any]:
        snap = one.poller.snapshot()
        doc = usage_document(snap, one.poller.clock(), series=one.recent_series(),
                             night=settings.night)
        doc["meta"]["account"] = one.name
        doc["meta"]["accounts"] = board.names()
        doc["meta"]["language"] = language  # the page speaks it unless ?lang= says otherwise
        return doc

    def chosen(request: Request) -> Watched | Response:
        name = request.query_params.get("account")
        one = board.find(name)
        if one is None:
            return json_response(board.unknown(name or ""), 404)
        return one

    def usage(request: Request) -> Response:
        one = chosen(request)
        if isinstance(one, Response):
            return one
        doc = document(one)
        doc["sessions"] = sessions.to_json()
        return answer(request, doc)

    def all_accounts(request: Request) -> Response:
        now = board.default.poller.clock()
        return answer(request, {
            "accounts": [account_entry(one.name, i == 0, document(one))
                         for i, one in enumerate(board.watched)],
            "sessions": sessions.to_json(),
            "server_time_ms": int(now * 1000), "utc_offset_minutes": utc_offset_minutes(now)})

    def history_series(request: Request) -> Response:
        try:
            hours = float(request.query_params.get("hours", "24"))
        except ValueError:
            return json_response({"error": "hours must be a number"}, 400)
        if math.isnan(hours):  # float() accepts "nan", which slips through min/max
            return json_response({"error": "hours must be a number"}, 400)
        hours = float(min(max(hours, 0.0), MAX_HISTORY_HOURS))
        shown: float | int = int(hours) if hours.is_integer() else hours
        window = request.query_params.get("window") or None
        one = chosen(request)
        if isinstance(one, Response):
            return one
        if one.history is None:
            return json_response({"hours": shown, "series": {}})
        since = one.poller.clock() - hours * 3600
        return json_response({"hours": shown, "series": one.history.series(since, window)})

    def refresh(request: Request) -> Response:
        one = chosen(request)
        if isinstance(one, Response):
            return one
        accepted, wait = one.poller.request_refresh()
        if accepted:
            snap = one.poller.snapshot()
            next_ms = int(snap.next_poll_at * 1000) if snap.next_poll_at else None
            return json_response({"accepted": True, "next_poll_at_ms": next_ms}, 202)
        retry = max(1, int(wait + 0.999))
        return json_response(
            {"accepted": False, "retry_in_s": retry}, 429, {"Retry-After": str(retry)}
        )

    return usage, [
        Route("/usage", usage, methods=["GET", "HEAD"]),
        Route("/api/accounts", all_accounts, methods=["GET", "HEAD"]),
        Route("/api/history", history_series, methods=["GET"]),
        Route("/api/refresh", refresh, methods=["POST"]),
    ]
