"""SIGKILL in the middle of history writes, again and again: nothing committed is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from claude_carthing.history import History
from tests.resilience.history_writer import reading_time

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 12

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on Windows")


def run_and_kill(db: Path, round_no: int, delay: float) -> int:
    """Start a writer, SIGKILL it after `delay` s; return how many readings it said were done."""
    child = subprocess.Popen([sys.executable, "-m", "tests.resilience.history_writer", str(db),
                              str(round_no)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout is not None
    acknowledged = [0]

    def read() -> None:
        for line in child.stdout:  # type: ignore[union-attr]
            if line.strip().isdigit():
                acknowledged[0] = int(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    reader.join(10)  # every line printed before the kill has been read
    return acknowledged[0]


def test_sigkill_during_writes_loses_no_committed_reading(tmp_path):
    db = tmp_path / "history.sqlite3"
    rng = random.Random(20260719)
    acknowledged = {}
    for round_no in range(ROUNDS):
        # the first rounds die early (during open and the first commits), later ones mid-stream
        delay = rng.uniform(0.05, 0.2) if round_no < 3 else rng.uniform(0.3, 0.8)
        acknowledged[round_no] = run_and_kill(db, round_no, delay)

        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        history = History(db)  # opens cleanly after the kill, as `serve` would
        try:
            series = history.series(0)
        finally:
            history.close()
        stored = {at for at, _ in series.get("five_hour", [])}
        weekly = {at for at, _ in series.get("seven_day", [])}
        assert stored == weekly, "a reading was stored half (one window without the other)"
        for done_round, count in acknowledged.items():
            for index in range(count):
                assert int(reading_time(done_round, index) * 1000) in stored, (done_round, index)
    assert sum(acknowledged.values()) > 100, acknowledged  # the kills really hit live writing
