"""The SQLite history: durable, versioned, pruned, recovered when damaged."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from claude_carthing import paths
from claude_carthing.history import SCHEMA_VERSION, History
from claude_carthing.models import Usage, Window
from claude_carthing.service import open_history
from claude_carthing.settings import SettingsError, load_settings

DAY = 86400.0


def usage(percent: float) -> Usage:
    reset = datetime(2030, 1, 1, tzinfo=timezone.utc)
    return Usage((Window("five_hour", "5-hour", "session", percent, reset),
                  Window("seven_day", "Weekly", "weekly", percent / 2, None)))


def test_history_is_wal_and_versioned(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    history.append(1000.0, usage(10))
    history.close()
    db = sqlite3.connect(tmp_path / "h.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 2


def test_series_by_window_and_time(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    for i in range(5):
        history.append(1000.0 + i * 300, usage(10 + i))
    assert history.series(1000.0 + 600, "five_hour") == {
        "five_hour": [(1_600_000, 12.0), (1_900_000, 13.0), (2_200_000, 14.0)]}
    assert set(history.series(0)) == {"five_hour", "seven_day"}


def test_prune_keeps_at_least_35_days(tmp_path):
    history = History(tmp_path / "h.sqlite3", keep_days=35)
    now = 100 * DAY
    history.append(now - 40 * DAY, usage(1))
    history.append(now - 34 * DAY, usage(2))
    history.append(now, usage(3))  # appending prunes at most hourly; this one prunes
    kept = [u for _, u in history.series(0, "five_hour")["five_hour"]]
    assert kept == [2.0, 3.0]


def _accepted(days: int) -> bool:
    try:
        load_settings(history_days=days)
    except SettingsError:
        return False
    return True


def test_the_smallest_retention_a_user_can_set_still_keeps_a_month_and_more(tmp_path):
    smallest = next(d for d in range(1, 400) if _accepted(d))  # whatever the floor is now
    history = open_history(load_settings(history_days=smallest))
    assert history is not None
    now = 100 * DAY
    history.append(now - 34 * DAY, usage(2))  # a month-long chart plus the days around it
    history.append(now, usage(3))  # this append prunes
    kept = [u for _, u in history.series(0, "five_hour")["five_hour"]]
    assert kept == [2.0, 3.0]
    history.close()


def test_history_survives_reopen(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = History(path)
    first.append(5000.0, usage(42))
    first.close()
    assert History(path).series(0, "five_hour")["five_hour"] == [(5_000_000, 42.0)]


def test_corrupted_database_is_kept_as_backup_and_replaced(tmp_path):
    paths.ensure_home()
    db = paths.history_db()
    db.write_bytes(b"this is not a database" * 200)
    history = open_history(load_settings())
    assert history is not None
    history.append(1.0, usage(5))
    backups = list(db.parent.glob("history.sqlite3.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(b"this is not")
