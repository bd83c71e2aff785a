"""Home folder trouble: disk full, read-only, locked or damaged history, broken config file.

Never silent data loss: either the service recovers by itself (keeping a backup), or it says
clearly what is wrong and where, and the user's files are left as they were.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from claude_carthing import paths
from claude_carthing.demo import DemoSource
from claude_carthing.history import History
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Poller
from claude_carthing.service import open_history
from claude_carthing.settings import load_settings
from tests.resilience.conftest import get
from tests.support.live_server import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[2]
RESET = datetime(2030, 1, 1, tzinfo=timezone.utc)


def usage(percent: float) -> Usage:
    return Usage((Window("five_hour", "5-hour", "session", percent, RESET),
                  Window("seven_day", "Weekly", "weekly", percent / 2, None)))


def can_mount() -> str | None:
    """Return why private mounts are impossible here, or None when they work."""
    if sys.platform != "linux":
        return "private mounts (unshare -m) exist on Linux only"
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "needs unshare and mount (util-linux)"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "unshare -m is not permitted here (needs root or CAP_SYS_ADMIN)"
    return None


def in_private_mount(scenario: str, folder: Path) -> dict:
    reason = can_mount()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, "-m",
         "tests.resilience.home_child", scenario, str(folder)],
        capture_output=True, text=True, cwd=ROOT, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_disk_full_keeps_the_display_going_and_history_resumes_without_loss(tmp_path):
    seen = in_private_mount("disk_full", tmp_path)
    assert seen["before"] == 100  # 50 readings of 2 windows fitted before the disk filled
    assert seen["states_while_full"] == ["demo"] * 5  # the display never noticed
    assert seen["after_space_returns"] > seen["before"]  # same process, no restart needed
    assert seen["reopened_while_full"] or seen["backups_while_full"] == []
    assert seen["backups_while_full"] == [] and seen["backups_after"] == []  # nothing moved
    assert seen["after_restart"] == seen["after_space_returns"]  # nothing lost


def test_read_only_home_serves_and_says_history_is_off_leaving_files_alone(tmp_path):
    home = tmp_path / "home"
    history = History(home / "history.sqlite3")
    for i in range(10):
        history.append(1_800_000_000 + i * 300, usage(i))
    history.close()
    before = (home / "history.sqlite3").read_bytes()
    seen = in_private_mount("read_only", tmp_path)
    assert seen["health"] == 200 and seen["state"] == "demo"
    assert "History disabled" in seen["stderr"] and "history.sqlite3" in seen["stderr"]
    assert "damaged" not in seen["stderr"]
    assert "not logging to a file" in seen["stderr"]
    # No secret can be stored, so nobody can approve from the device: it says so and serves on.
    assert "Approvals from the Car Thing are off" in seen["stderr"]
    assert sorted(p.name for p in home.iterdir()) == ["history.sqlite3"]
    assert (home / "history.sqlite3").read_bytes() == before


def test_read_only_home_config_set_is_one_clear_error(tmp_path):
    (tmp_path / "home").mkdir()
    seen = in_private_mount("read_only", tmp_path)
    assert seen["config_code"] != 0
    assert seen["config_stderr"].startswith("error:") and "Traceback" not in seen[
        "config_stderr"]


def test_a_locked_database_pauses_history_only_until_the_lock_goes(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    history._db.execute("PRAGMA busy_timeout=100")  # 5 s in production; short for the test
    clock = [1_800_000_000.0]
    poller = Poller(DemoSource(lambda: clock[0]), interval=300, history=history,
                    clock=lambda: clock[0])
    poller.poll_once()
    stored = history.count()
    browser = sqlite3.connect(tmp_path / "history.sqlite3", isolation_level=None)
    browser.execute("BEGIN IMMEDIATE")  # e.g. the user inspecting the file in a DB browser
    clock[0] += 300
    assert poller.poll_once().state == "demo"
    assert history.count() == stored  # that reading could not be written
    browser.execute("ROLLBACK")
    browser.close()
    for _ in range(2):
        clock[0] += 300
        poller.poll_once()
    assert history.count() == stored * 3  # writing resumed by itself
    history.close()


def test_a_database_locked_at_start_is_not_mistaken_for_a_damaged_one(tmp_path, isolated_home):
    paths.ensure_home()
    first = History(paths.history_db())
    first.append(1_800_000_000, usage(42))
    first.close()
    holder = sqlite3.connect(paths.history_db(), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        history = open_history(load_settings(history_days=90))
        if history is not None:
            history.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert list(paths.home_dir().glob("*corrupt*")) == []
    again = History(paths.history_db())
    assert again.series(0)["five_hour"] == [(1_800_000_000_000, 42.0)]
    again.close()


def damage_middle(db: Path) -> bytes:
    history = History(db)
    for i in range(3000):
        history.append(1_800_000_000 + i * 300, usage(i % 100))
    history._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    history.close()
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xa5" * 16384)
    return db.read_bytes()


def test_a_database_damaged_inside_is_kept_aside_and_the_server_records_anew(fake_upstream):
    paths.ensure_home()
    damaged = damage_middle(paths.history_db())
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        status, body = get(server.port, "/api/history?hours=24")
        assert status == 200 and json.loads(body)["series"]["five_hour"]  # the first reading
    backups = list(paths.home_dir().glob("history.sqlite3.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "is not valid JSON (line 1)"),
        ('["a", "list"]', "must hold a JSON object"),
        ('{"port": "eighty"}', "port"),
        ('{"interval": 5}', "setting interval: must be at least 60"),
        ('{"colour": "red"}', "unknown setting 'colour'"),
        ("\udcff", "config.json"),
    ],
    ids=["garbage", "list", "bad-port", "low-interval", "unknown-key", "not-utf8"],
)
def test_a_broken_config_file_is_one_clear_error_naming_it(content, words):
    home = paths.ensure_home()
    config = paths.config_file()
    if content == "\udcff":
        config.write_bytes(b"\xff\xfe{\x00")
    else:
        config.write_text(content, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "claude_carthing", "serve", "--demo", "--host", "127.0.0.1",
         "--port", str(free_port())],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=dict(os.environ), check=False)
    assert result.returncode == 8, result.stderr  # ExitStatus.CONFIG
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert words in result.stderr
    if content.startswith(("{not", "[")):
        assert str(config) in result.stderr
    assert config.exists() and home.is_dir()  # the user's file is left for them to fix
