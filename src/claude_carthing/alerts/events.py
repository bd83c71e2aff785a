"""Turn successive poller snapshots into events, remembering what was already announced."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claude_carthing import i18n
from claude_carthing.i18n import t

if TYPE_CHECKING:
    from claude_carthing.models import Window
    from claude_carthing.poller import Snapshot

SEVERITY_RANK = {"warning": 1, "critical": 2}
RESET_SLACK_S = 60.0  # resets_at jitters by seconds between reads; a new period moves it far


@dataclass(frozen=True)
class Event:
    """One thing worth telling the user, with the words a notification shows."""

    kind: str  # threshold, severity, reset, stale, login, read
    title: str
    body: str
    urgency: str = "normal"  # low, normal, critical
    at: float = 0.0
    window: str | None = None
    label: str | None = None
    percent: float | None = None
    threshold: float | None = None
    severity: str | None = None
    resets_at: str | None = None  # ISO 8601
    account: str | None = None  # whose numbers, when several accounts are shown

    def to_json(self) -> dict[str, Any]:
        """Return the event as the JSON object hooks receive (without the usage document)."""
        return {
            "event": self.kind, "title": self.title, "body": self.body, "urgency": self.urgency,
            "at_ms": int(self.at * 1000), "window": self.window, "label": self.label,
            "percent": self.percent, "threshold": self.threshold, "severity": self.severity,
            "resets_at": self.resets_at, "account": self.account,
        }


@dataclass
class Announced:
    """What has been announced so far (kept in a small file across restarts)."""

    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    stale: bool = False
    login: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON data."""
        return {"windows": self.windows, "stale": self.stale, "login": self.login}

    @classmethod
    def from_json(cls, data: Any) -> Announced:
        """Rebuild the state; anything malformed is treated as nothing announced."""
        if not isinstance(data, dict):
            return cls()
        windows = data.get("windows")
        return cls(
            {k: v for k, v in windows.items() if isinstance(v, dict)}
            if isinstance(windows, dict) else {},
            data.get("stale") is True,
            data.get("login") is True,
        )


def _pct(value: float) -> str:
    return i18n.pct(value)


def _local_offset(at: float) -> int:
    offset = datetime.fromtimestamp(at).astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _clock(at: float) -> str:
    """Return the PC's local time of day of epoch seconds `at`, as the language says it."""
    return i18n.clock(at * 1000, _local_offset(at))


def _label(window: Window) -> str:
    return i18n.window_label(window.id, window.label)


def _reset_words(window: Window, now: float) -> str:
    if window.resets_at is None:
        return ""
    from claude_carthing.terminal import countdown  # rich, only once there is an event
    if window.resets_at.timestamp() <= now:
        return " " + t("Reset due, waiting for the next reading.")
    at = _clock(window.resets_at.timestamp())
    left = countdown(int(window.resets_at.timestamp() * 1000), int(now * 1000))
    return " " + t("Resets at {time} (in {left}).", time=at, left=left)


class Tracker:
    """Compare each snapshot with what was announced and return the new events."""

    def __init__(self, thresholds: tuple[float, ...], stale_after_s: float,
                 announced: Announced | None = None) -> None:
        self.thresholds = tuple(sorted(thresholds))
        self.stale_after_s = stale_after_s
        self.announced = announced or Announced()

    def update(self, snap: Snapshot, now: float) -> list[Event]:
        """Return the events `snap` brings, and remember them as announced."""
        events: list[Event] = []
        if snap.usage is not None and snap.last_error is None:
            for window in snap.usage.windows:
                events.extend(self._window(window, now))
        events.extend(self._stale(snap, now))
        events.extend(self._login(snap, now))
        return events

    def stale_due_at(self, snap: Snapshot) -> float | None:
        """Return when `snap` would count as stale for too long, if it is stale and not yet."""
        if (not snap.stale or snap.waking or self.announced.stale
                or snap.last_success_at is None):
            return None  # just woken from sleep: a read is under way, no alarm yet
        return snap.last_success_at + self.stale_after_s

    # --- per kind ------------------------------------------------------------------------------

    def _window(self, window: Window, now: float) -> list[Event]:
        seen = self.announced.windows.get(window.id, {})
        crossed = max((t for t in self.thresholds if window.utilization >= t), default=0.0)
        rank = SEVERITY_RANK.get(window.severity or "", 0)
        was_crossed = float(seen.get("threshold", 0.0))
        was_rank = int(seen.get("rank", 0))
        resets = window.resets_at.timestamp() if window.resets_at else None
        was_resets = seen.get("resets_at")
        base = Event("", "", "", at=now, window=window.id, label=window.label,
                     percent=window.utilization, severity=window.severity,
                     resets_at=window.resets_at.isoformat() if window.resets_at else None)
        if (was_crossed or was_rank) and self._has_reset(window, resets, was_resets):
            self.announced.windows[window.id] = {"threshold": crossed, "rank": rank,
                                                 "resets_at": resets}
            after = (t("Full budget again.") if window.utilization < 0.5 else
                     t("Now at {percent}.", percent=_pct(window.utilization)))
            return [replace(base, kind="reset",
                            title=t("Claude {label} limit reset", label=_label(window)),
                            body=after, urgency="low")]
        events: list[Event] = []
        if crossed > was_crossed or rank > was_rank:
            top = crossed >= self.thresholds[-1] if self.thresholds else False
            urgent = top or window.severity == "critical"
            if crossed > was_crossed:
                why = t("Crossed {percent}.", percent=_pct(crossed))
                kind = "threshold"
            else:
                why = (t("Anthropic marks it critical.") if window.severity == "critical"
                       else t("Anthropic marks it warning."))
                kind = "severity"
            title = t("Claude {label} limit at {percent}", label=_label(window),
                      percent=_pct(window.utilization))
            events.append(replace(base, kind=kind, title=title,
                                  body=why + _reset_words(window, now),
                                  urgency="critical" if urgent else "normal",
                                  threshold=crossed or None))
        self.announced.windows[window.id] = {
            "threshold": max(crossed, was_crossed), "rank": max(rank, was_rank),
            "resets_at": resets if resets is not None else was_resets}
        return events

    def _has_reset(self, window: Window, resets: float | None, was: Any) -> bool:
        """A new period: the use fell below every threshold and the reset time moved on."""
        lowest = self.thresholds[0] if self.thresholds else 100.0
        if window.utilization >= lowest or SEVERITY_RANK.get(window.severity or "", 0):
            return False
        if resets is None or not isinstance(was, (int, float)):
            return True  # an idle window has no reset time at all
        return resets > float(was) + RESET_SLACK_S

    def _stale(self, snap: Snapshot, now: float) -> list[Event]:
        if snap.waking:
            return []
        if not snap.stale:
            self.announced.stale = False
            return []
        due = self.stale_due_at(snap)
        if due is None or now < due or snap.last_success_at is None:
            return []
        self.announced.stale = True
        minutes = int((now - snap.last_success_at) // 60)
        last = _clock(snap.last_success_at)
        return [Event("stale", t("Claude usage: no fresh numbers for {m} min", m=minutes),
                      (t("Last good reading at {time}.", time=last) + " "
                       + (snap.last_error or "")).strip(),
                      "normal", at=now)]

    def _login(self, snap: Snapshot, now: float) -> list[Event]:
        if not snap.paused:
            if snap.last_error is None:
                self.announced.login = False
            return []
        if self.announced.login:
            return []
        self.announced.login = True
        body = (snap.last_error or t("The login needs you.")).rstrip(".") + ". " + _log_in_again()
        return [Event("login", t("Claude usage: login needed"), body, "critical", at=now)]


def _log_in_again(account: str | None = None) -> str:
    if account is None:
        return t("Log in again (claude-carthing login, or Claude Code's /login).")
    return t("Log in again (claude-carthing login --account {account}, or that account's "
             "Claude Code /login).", account=account)


def worst_window(snap: Snapshot) -> Window | None:
    """Return the window closest to its limit (Anthropic's severity breaks ties)."""
    if snap.usage is None or not snap.usage.windows:
        return None
    return max(snap.usage.windows,
               key=lambda w: (w.utilization, SEVERITY_RANK.get(w.severity or "", 0)))


def read_event(snap: Snapshot, now: float) -> Event:
    """Return the `read` event hooks get after every successful read, about the worst window."""
    worst = worst_window(snap)
    if worst is None:
        return Event("read", t("Claude usage read"), t("No limits reported."), "low", at=now)
    return Event("read", t("{label} limit at {percent}", label=_label(worst),
                           percent=_pct(worst.utilization)),
                 _reset_words(worst, now).strip(), "low", at=now, window=worst.id,
                 label=worst.label, percent=worst.utilization, severity=worst.severity,
                 resets_at=worst.resets_at.isoformat() if worst.resets_at else None)


def for_account(event: Event, account: str | None) -> Event:
    """Return `event` as told for one of several accounts: its title starts with the account's
    name and a login event says how to log that account in. Unchanged for None (one account)."""
    if not account:
        return event
    body = event.body
    if body.endswith(_log_in_again()):
        body = body[:-len(_log_in_again())] + _log_in_again(account)
    # i18n: a notification's title for one of several accounts ("work: Claude usage: 80 %")
    title = t("{account}: {title}", account=account, title=event.title)
    return replace(event, title=title, body=body, account=account)
