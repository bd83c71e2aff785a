"""Which Claude account the code running now works for.

Every per-account file (session key, account facts, Cloudflare cookies), keyring entry and
Claude Code config folder is found through `current()`. A poller runs its reads inside
`using(account)`; everything else (a command without `--account`, a test) works for the default
account, exactly as before accounts existed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    """A named Claude account: the default one (key "") or another with its own folder."""

    name: str = "default"
    key: str = ""  # "" for the default account; else its folder under `accounts/` (never renamed)
    config_dir: Path | None = None  # its Claude Code config folder (`CLAUDE_CONFIG_DIR`)

    @property
    def is_default(self) -> bool:
        """True for the first account, which keeps the files of a single-account install."""
        return not self.key


DEFAULT = Account()
_CURRENT: ContextVar[Account] = ContextVar("claude_carthing_account", default=DEFAULT)


def current() -> Account:
    """Return the account the code running now works for (the default one unless told)."""
    return _CURRENT.get()


@contextlib.contextmanager
def using(account: Account) -> Iterator[Account]:
    """Work for `account` inside the block (this thread or task only)."""
    token = _CURRENT.set(account)
    try:
        yield account
    finally:
        _CURRENT.reset(token)


def bound(account: Account, fn: Callable[[], T]) -> Callable[[], T]:
    """Return `fn` made to run for `account` whichever thread calls it."""

    def call() -> T:
        with using(account):
            return fn()

    return call


def config_folder(account: Account | None = None) -> Path:
    """Return the Claude Code folder of `account` (default: the current one), the way Claude
    Code finds it: its own folder, else (the default account) `$CLAUDE_CONFIG_DIR`, else
    `~/.claude`."""
    account = account or current()
    if account.config_dir is not None:
        return account.config_dir
    override = os.environ.get("CLAUDE_CONFIG_DIR") if account.is_default else None
    return Path(override).expanduser() if override else Path.home() / ".claude"


def login_command() -> str:
    """Return the command that logs the current account in to claude.ai."""
    account = current()
    return "claude-carthing login" + ("" if account.is_default else f" --account {account.name}")


def keyring_user(base: str) -> str:
    """Return the keyring entry name of `base` ("sessionKey") for the current account."""
    key = current().key
    return f"{base}:{key}" if key else base
