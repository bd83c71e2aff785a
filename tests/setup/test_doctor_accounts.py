"""Issue 20: doctor checks every account's source, each line and JSON entry named after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import free_port
from typer.testing import CliRunner

from claude_carthing import accounts
from claude_carthing.account_scope import using
from claude_carthing.cli import app
from claude_carthing.usb import Adapter


def doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor", "--port", str(free_port()), *args])
    return result.exit_code, result.output


def line(out: str, starts: str) -> str:
    found = [text for text in out.splitlines() if text.startswith(starts)]
    assert len(found) == 1, (starts, out)
    return found[0]


def test_each_accounts_source_is_checked_and_named(
        fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        adapters: list[Adapter]) -> None:
    # default: Claude Code's (fake) login, read from the fake upstream; work: a claude.ai
    # session, whose reads go to a closed port; home: a Claude Code folder nobody logged in to.
    creds.write_oauth()
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    with using(accounts.add("work")):
        creds.write_web()
    home_folder = tmp_path / "claude-home"
    home_folder.mkdir()
    accounts.add("home", home_folder)

    code, out = doctor()
    assert code == 1
    assert line(out, "[OK]   credentials (default): ").endswith("ms)")
    assert "read through oauth" in line(out, "[OK]   live usage read (default): ")
    assert "claude.ai session only; session key: present (file)" in line(
        out, "[OK]   credentials (work): ")
    assert "network" in line(out, "[FAIL] live usage read (work): ")
    home = line(out, "[FAIL] credentials (home): ")
    assert f"Claude Code login in {home_folder}: absent" in home
    assert "[SKIP] live usage read (home): not checked: no usable credentials" in out
    lines = out.splitlines()
    fix = lines[lines.index(home) + 1]
    assert "claude-carthing login --account home" in fix
    assert f"CLAUDE_CONFIG_DIR={home_folder}" in fix
    # Claude Code is connected per Claude Code folder: work has none of its own.
    assert "[WARN] Claude Code connection (default): not connected" in out
    assert "[WARN] Claude Code connection (home): not connected" in out
    assert "Claude Code connection (work)" not in out

    _, text = doctor("--json")
    report = json.loads(text)
    assert report["accounts"] == ["default", "work", "home"]
    checks = {c["name"]: c for c in report["checks"]}
    work_read = checks["live usage read (work)"]
    assert work_read["status"] == "fail" and work_read["data"]["account"] == "work"
    assert checks["credentials (home)"]["data"]["claude_code_folder"] == str(home_folder)
    assert checks["credentials (work)"]["data"]["keyring"] == "none"  # tests have no keyring
    assert creds.CANARY not in text


def test_an_account_without_a_login_is_told_its_own_login_command(
        adapters: list[Adapter]) -> None:
    accounts.add("work")
    _, out = doctor("--no-live")
    work = line(out, "[FAIL] credentials (work): ")
    assert "claude.ai session only; session key: absent" in work
    lines = out.splitlines()
    assert lines[lines.index(work) + 1] == ("       fix: Run `claude-carthing login "
                                            "--account work`.")
    assert "[SKIP] live usage read (work): not checked: --no-live" in out


def test_with_one_account_the_report_is_as_before(adapters: list[Adapter]) -> None:
    _, text = doctor("--json", "--no-live")
    report = json.loads(text)
    assert "accounts" not in report
    names = [c["name"] for c in report["checks"]]
    assert names[3:5] == ["credentials", "live usage read"]
    assert "Claude Code connection" in names
    assert all("account" not in c["data"] for c in report["checks"])
