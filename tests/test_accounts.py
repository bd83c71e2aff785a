"""Named accounts: the list, their own files and keyring entries, and the commands that edit
them (`account ...`, `login/logout --account`)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claude_carthing import accounts, paths
from claude_carthing.account_scope import using
from claude_carthing.cli import app
from claude_carthing.history import History
from claude_carthing.upstream import cookie_store, credentials
from tests.support import creds

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OTHER_KEY = "sk-ant-sid01-FAKE-canary-work-key-0000"


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_without_accounts_there_is_one_default_and_nothing_is_written():
    assert [(a.name, a.is_default) for a in accounts.load()] == [("default", True)]
    assert invoke("account", "list").exit_code == 0
    assert not paths.accounts_file().exists()


def test_add_rename_and_remove_keep_the_default_first(tmp_path):
    work = accounts.add("work", tmp_path / "claude-work")
    accounts.add("side")
    accounts.rename("default", "personal")
    assert [a.name for a in accounts.load()] == ["personal", "work", "side"]
    assert accounts.find("WORK").config_dir == (tmp_path / "claude-work").absolute()
    assert accounts.find(None).name == "personal"
    renamed = accounts.rename("work", "job")
    assert renamed.key == work.key  # the folder, keyring entries and history stay its own
    accounts.remove("side")
    assert [a.name for a in accounts.load()] == ["personal", "job"]


@pytest.mark.parametrize("name", ["", "-x", "a b", "x" * 25, "naïve", "../up"])
def test_names_that_could_not_be_shown_or_typed_are_refused(name):
    with pytest.raises(accounts.AccountError, match="not allowed"):
        accounts.add(name)


def test_taken_names_and_folders_are_refused(tmp_path):
    accounts.add("work", tmp_path / "w")
    with pytest.raises(accounts.AccountError, match="already an account"):
        accounts.add("Work")
    with pytest.raises(accounts.AccountError, match="already reads"):
        accounts.add("other", tmp_path / "w")
    with pytest.raises(accounts.AccountError, match="no account named 'nobody'"):
        accounts.rename("nobody", "x")


def test_the_default_account_cannot_be_removed():
    result = invoke("account", "remove", "default")
    assert result.exit_code != 0 and "cannot be removed" in result.output


def test_each_account_keeps_its_session_in_its_own_files():
    creds.write_web()  # the default account, where it always was
    work = accounts.add("work")
    with using(work):
        assert credentials.read_web() is None  # the default's key is not work's
        credentials.store_web(OTHER_KEY, {"org_id": "org-work"})
        cookie_store.store_cloudflare({"cf_clearance": "FAKE-cf-work"})
        work_secrets = paths.secrets_file()
    assert work_secrets.parent == paths.home_dir() / "accounts" / work.key
    assert credentials.read_web().session_key == creds.FAKE_SESSION_KEY
    assert cookie_store.read_cloudflare() == {}
    with using(work):
        assert credentials.read_web().session_key == OTHER_KEY
        assert cookie_store.read_cloudflare() == {"cf_clearance": "FAKE-cf-work"}
    if os.name == "posix":
        assert work_secrets.stat().st_mode & 0o777 == 0o600
        assert work_secrets.parent.stat().st_mode & 0o777 == 0o700


def test_the_environment_key_speaks_for_the_default_account_only(monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_SESSION_KEY", creds.FAKE_SESSION_KEY)
    work = accounts.add("work")
    with using(work):
        assert credentials.read_web() is None
    assert credentials.read_web().where == "environment"


def test_keyring_entries_are_per_account(monkeypatch):
    from tests.support import memory_keyring

    ring = memory_keyring.MemoryKeyring()
    memory_keyring._STORE.clear()
    monkeypatch.setattr(credentials, "_keyring", lambda **_: ring)
    credentials.store_web(creds.FAKE_SESSION_KEY, {})
    work = accounts.add("work")
    with using(work):
        assert credentials.store_web(OTHER_KEY, {}) == "keyring"
    users = {user for (_, user) in memory_keyring._STORE}
    assert users == {"sessionKey", f"sessionKey:{work.key}"}
    accounts.remove("work")
    assert {user for (_, user) in memory_keyring._STORE} == {"sessionKey"}  # the default's


def test_claude_code_runs_with_the_accounts_own_folder(tmp_path, monkeypatch):
    from claude_carthing.claude_code.get_usage import clean_environment

    folder = tmp_path / "claude-work"
    work = accounts.add("work", folder)
    side = accounts.add("side")
    env = {"CLAUDE_CONFIG_DIR": "/somewhere/default", "PATH": "/bin"}
    assert clean_environment(env)["CLAUDE_CONFIG_DIR"] == "/somewhere/default"
    with using(work):
        assert clean_environment(env)["CLAUDE_CONFIG_DIR"] == str(folder.absolute())
        assert credentials.oauth_file() == folder.absolute() / ".credentials.json"
    with using(side):  # a claude.ai session only: never the default's Claude Code folder
        assert "CLAUDE_CONFIG_DIR" not in clean_environment(env)


def test_an_account_without_a_claude_code_folder_is_never_read_through_claude_code(
        fake_upstream):
    from claude_carthing.settings import load_settings
    from claude_carthing.upstream.sources import ClaudeSource

    creds.write_oauth()  # the default account's Claude Code login
    side = accounts.add("side")
    source = ClaudeSource(load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url))
    with using(side), pytest.raises(Exception, match="login --account side"):
        source.read()
    assert fake_upstream.usage_requests() == []  # the default's token was not spent for side


def test_login_and_logout_with_account_touch_only_that_account(fake_upstream, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    creds.write_web()
    assert invoke("account", "add", "work").exit_code == 0
    result = invoke("login", "--account", "work", "--stdin", stdin=OTHER_KEY)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Account work: logged in")
    assert OTHER_KEY not in result.output
    with using(accounts.find("work")):
        assert credentials.read_web().session_key == OTHER_KEY
    assert invoke("logout", "--account", "work").output.strip() == "Logged out."
    with using(accounts.find("work")):
        assert credentials.read_web() is None
    assert credentials.read_web().session_key == creds.FAKE_SESSION_KEY  # default untouched
    listing = invoke("account", "list").output
    assert "default (default):" in listing and "work: no claude.ai session" in listing


def test_login_to_an_unknown_account_says_which_exist():
    result = invoke("login", "--account", "nobody", "--stdin", stdin=OTHER_KEY)
    assert result.exit_code == 8 and "no account named 'nobody'" in result.output
    assert "default" in result.output


def test_a_damaged_accounts_file_still_leaves_the_default_account():
    paths.ensure_home()
    paths.accounts_file().write_text("{ not json", encoding="utf-8")
    assert [a.name for a in accounts.load()] == ["default"]
    paths.accounts_file().write_text(json.dumps({"accounts": [
        {"name": "me", "key": "", "config_dir": None},
        {"name": "bad name", "key": "x-1"}, {"name": "ok", "key": "../../etc"},
        {"name": "work", "key": "work-1a2b"}]}), encoding="utf-8")
    assert [a.name for a in accounts.load()] == ["me", "work"]


# --- the history -------------------------------------------------------------------------------


def test_the_history_of_before_accounts_becomes_the_default_accounts(tmp_path):
    """A database written by the last version without accounts (schema 1)."""
    db = tmp_path / "history.sqlite3"
    shutil.copy(FIXTURES / "history" / "history-v1.sqlite3", db)
    history = History(db, keep_days=3650)
    try:
        assert history._db.execute("PRAGMA user_version").fetchone()[0] == 2
        since = 0.0
        default = history.series(since, "five_hour")
        assert [p[1] for p in default["five_hour"]] == [10.0, 15.0, 20.0, 25.0, 30.0, 35.0]
        assert history.view("work-1a2b").series(since) == {}
        from claude_carthing.upstream.wire import parse_usage

        usage = parse_usage(json.loads((FIXTURES / "upstream" / "full.json").read_text()))
        history.view("work-1a2b").append(2_000_000_000.0, usage)
        assert [p[1] for p in history.view("work-1a2b").series(since)["five_hour"]] == [15.0]
        assert len(history.series(since, "five_hour")["five_hour"]) == 6  # the default's only
    finally:
        history.close()
    columns = [row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(samples)")]
    assert "account" in columns
