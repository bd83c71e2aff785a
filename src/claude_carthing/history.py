"""The SQLite usage history: one row per window per successful reading."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from claude_carthing.models import Usage

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
_MIGRATIONS = {
    1: [
        """CREATE TABLE IF NOT EXISTS samples (
               at_ms INTEGER NOT NULL,
               window_id TEXT NOT NULL,
               utilization REAL NOT NULL,
               resets_at_ms INTEGER
           )""",
        "CREATE INDEX IF NOT EXISTS samples_window_at ON samples (window_id, at_ms)",
        "CREATE INDEX IF NOT EXISTS samples_at ON samples (at_ms)",
    ],
    # Several accounts: every sample says whose it is. The readings taken before are the
    # default account's (key "").
    2: [
        "ALTER TABLE samples ADD COLUMN account TEXT NOT NULL DEFAULT ''",
        "DROP INDEX IF EXISTS samples_window_at",
        "CREATE INDEX IF NOT EXISTS samples_account_window_at "
        "ON samples (account, window_id, at_ms)",
    ],
}
PRUNE_EVERY_S = 3600.0


class History:
    """Append-only usage samples with pruning; safe to share between threads."""

    def __init__(self, path: Path, *, keep_days: int = 90) -> None:
        self.path = path
        self.keep_days = keep_days
        self._lock = threading.Lock()
        self._last_prune = 0.0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._prepare()
        except BaseException:
            self._db.close()  # let the caller move the file aside (Windows keeps open files)
            raise

    def _prepare(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        # A damaged page deep inside opens fine and then fails every write; find it now so the
        # service can keep it aside and start anew (a few ms for months of history).
        check = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
        self._migrate()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} was written by a newer claude-carthing (schema {version})"
            )
        for step in range(version + 1, SCHEMA_VERSION + 1):
            with self._lock, self._transaction():
                for statement in _MIGRATIONS[step]:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={step}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT, rolled back on any failure.

        SQLite leaves a transaction open when a statement fails with "database is locked" (someone
        browsing the file) or "disk full"; without the ROLLBACK every later write would fail with
        "cannot start a transaction within a transaction" until a restart.
        """
        self._db.execute("BEGIN")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            raise

    def append(self, at: float, usage: Usage, account: str = "") -> None:
        """Record every window of one reading of `account` (its key) taken at epoch seconds `at`."""
        at_ms = int(at * 1000)
        rows = [
            (at_ms, w.id, w.utilization,
             int(w.resets_at.timestamp() * 1000) if w.resets_at else None, account)
            for w in usage.windows
        ]
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT INTO samples (at_ms, window_id, utilization, resets_at_ms, account) "
                "VALUES (?, ?, ?, ?, ?)", rows)
        if at - self._last_prune > PRUNE_EVERY_S:
            self.prune(now=at)

    def prune(self, now: float | None = None) -> int:
        """Delete samples older than the retention; return how many went."""
        cutoff_ms = int(((now or time.time()) - self.keep_days * 86400) * 1000)
        with self._lock:
            cursor = self._db.execute("DELETE FROM samples WHERE at_ms < ?", (cutoff_ms,))
        self._last_prune = now or time.time()
        return cursor.rowcount

    def series(
        self, since: float, window_id: str | None = None, account: str = ""
    ) -> dict[str, list[tuple[int, float]]]:
        """Return {window id: [(epoch ms, utilization), ...]} of one account (its key) since
        epoch seconds, oldest first."""
        query = "SELECT window_id, at_ms, utilization FROM samples WHERE account = ? AND at_ms >= ?"
        args: list[object] = [account, int(since * 1000)]
        if window_id is not None:
            query += " AND window_id = ?"
            args.append(window_id)
        query += " ORDER BY at_ms"
        out: dict[str, list[tuple[int, float]]] = {}
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        for wid, at_ms, util in rows:
            out.setdefault(wid, []).append((at_ms, util))
        return out

    def view(self, account: str) -> AccountHistory:
        """Return this history as one account sees it (what its poller writes and reads)."""
        return AccountHistory(self, account)

    def count(self) -> int:
        """Return the number of stored samples."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM samples").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


class AccountHistory:
    """One account's samples in a shared history: `append` and `series` without the key."""

    def __init__(self, history: History, account: str) -> None:
        self.history = history
        self.account = account

    def append(self, at: float, usage: Usage) -> None:
        """Record one reading of this account."""
        self.history.append(at, usage, self.account)

    def series(self, since: float,
               window_id: str | None = None) -> dict[str, list[tuple[int, float]]]:
        """Return this account's samples since epoch seconds (see `History.series`)."""
        return self.history.series(since, window_id, self.account)
