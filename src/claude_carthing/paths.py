"""The one home folder every file of ours lives in, and the files inside it."""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

import platformdirs

from claude_carthing.account_scope import current

APP_NAME = "claude-carthing"
HOME_ENV = "CLAUDE_CARTHING_HOME"


def home_dir() -> Path:
    """Return the home folder: `$CLAUDE_CARTHING_HOME`, else the platform's user config folder."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False, roaming=False)


def ensure_home() -> Path:
    """Create the home folder, mode 700 from the start where the OS has modes; return it.

    A folder that already exists is left as it is: `CLAUDE_CARTHING_HOME` may name one of the
    user's own (doctor reports a home folder others can read).
    """
    home = home_dir()
    if not home.is_dir():
        home.parent.mkdir(parents=True, exist_ok=True)
        # FileExistsError: another of our processes made it at the same moment.
        with contextlib.suppress(FileExistsError):
            home.mkdir(mode=0o700)
    return home


def account_dir() -> Path:
    """Return the folder of the current account's own files: the home folder itself for the
    default account (as before accounts existed), `accounts/<key>` for another."""
    key = current().key
    return home_dir() / "accounts" / key if key else home_dir()


def ensure_account_dir() -> Path:
    """Create the current account's folder (mode 700 where the OS has modes); return it."""
    ensure_home()
    folder = account_dir()
    if not folder.is_dir():
        folder.parent.mkdir(mode=0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    return folder


def accounts_file() -> Path:
    """Return the list of accounts (names, folders, Claude Code config folders)."""
    return home_dir() / "accounts.json"


def config_file() -> Path:
    """Return the path of the user's settings file."""
    return home_dir() / "config.json"


def secrets_file() -> Path:
    """Return the path of the fallback secrets file (used when no OS keyring works)."""
    return account_dir() / "secrets.json"


def account_file() -> Path:
    """Return the path of the non-secret account facts (org id, org name, plan)."""
    return account_dir() / "account.json"


def credentials_stamp() -> Path:
    """Return the file `login`/`logout` touch so a running server notices new credentials."""
    return account_dir() / "credentials.stamp"


def history_db() -> Path:
    """Return the path of the SQLite usage history."""
    return home_dir() / "history.sqlite3"


def log_dir() -> Path:
    """Return the folder of the rotating log files."""
    return home_dir() / "logs"


def page_dir() -> Path:
    """Return the dashboard page inside the package (served by `serve`, copied by deploy)."""
    return Path(str(resources.files("claude_carthing") / "page"))


def device_dir() -> Path:
    """Return the folder for device facts (known host keys, deploy records)."""
    return home_dir() / "device"
