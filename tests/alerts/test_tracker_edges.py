"""Edges of the event rules that a one-line change would get wrong: the exact threshold, a
reset time that jitters, and a login prompt remembered across a restart."""

from __future__ import annotations

from datetime import datetime, timezone

from claude_carthing.alerts import store
from claude_carthing.alerts.events import Tracker
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Snapshot

NOW = 1_800_000_000.0


def weekly(percent: float, resets_at: float | None = NOW + 3 * 3600) -> Snapshot:
    resets = datetime.fromtimestamp(resets_at, tz=timezone.utc) if resets_at else None
    usage = Usage((Window("seven_day", "Weekly", "weekly", percent, resets, None),))
    return Snapshot(usage=usage, source="oauth", last_success_at=NOW - 60)


def refused() -> Snapshot:
    return Snapshot(usage=weekly(40).usage, source="oauth", last_success_at=NOW - 600,
                    last_error="Claude refused the login (401).", error_kind="auth",
                    paused=True)


def test_exactly_80_percent_notifies() -> None:
    events = Tracker((80.0, 95.0), 1800).update(weekly(80.0), NOW)
    assert [(e.kind, e.threshold, e.title) for e in events] == [
        ("threshold", 80.0, "Claude Weekly limit at 80 %")]


def test_just_below_80_percent_does_not_notify() -> None:
    assert Tracker((80.0, 95.0), 1800).update(weekly(79.9), NOW) == []


def test_a_reset_time_jittering_by_seconds_after_a_dip_is_no_limit_reset() -> None:
    tracker = Tracker((80.0, 95.0), 1800)
    resets = NOW + 3 * 3600
    assert [e.kind for e in tracker.update(weekly(85, resets), NOW)] == ["threshold"]
    # Old use rolls out of the week, and the reset time comes back 20 s later than before.
    assert tracker.update(weekly(5, resets + 20), NOW + 300) == []
    assert tracker.update(weekly(5, resets - 15), NOW + 600) == []
    # A real new period moves the reset time on by days: that one is announced.
    assert [e.kind for e in tracker.update(weekly(5, resets + 7 * 86400), NOW + 900)] == [
        "reset"]


def test_login_needed_is_not_announced_again_after_a_restart() -> None:
    path = store.state_file()
    first = Tracker((80.0, 95.0), 1800, store.load(path))
    assert [e.kind for e in first.update(refused(), NOW)] == ["login"]
    store.save(path, first.announced)
    # The server restarts; the credentials are still refused.
    again = Tracker((80.0, 95.0), 1800, store.load(path))
    assert again.update(refused(), NOW + 60) == []
    # Once a read works, a later refusal is news again.
    again.update(weekly(40), NOW + 120)
    assert [e.kind for e in again.update(refused(), NOW + 180)] == ["login"]
