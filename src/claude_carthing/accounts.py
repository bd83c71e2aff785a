"""The list of Claude accounts shown (`accounts.json` in the home folder).

Without that file there is one account, the default, named "default": a single-account install
never has to know accounts exist. The first account in the file is the default; its files stay
where they always were (the home folder itself), each other account has `accounts/<key>/`.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.account_scope import DEFAULT, Account, config_folder, using
from claude_carthing.errors import CarthingError
from claude_carthing.settings import write_private

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,23}")
NAME_RULE = "1 to 24 letters, digits, '.', '_' or '-', starting with a letter or digit"
MAX_ACCOUNTS = 8


class AccountError(CarthingError):
    """An account name that is unknown, taken or not allowed."""

    kind = "config"


def _from_json(item: Any, first: bool) -> Account | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    if not NAME.fullmatch(item["name"]):
        return None
    key = "" if first else item.get("key")
    if not isinstance(key, str) or (not first and not NAME.fullmatch(key)):
        return None
    folder = item.get("config_dir")
    return Account(item["name"], key, Path(folder) if isinstance(folder, str) and folder else None)


def load() -> list[Account]:
    """Return every account, the default first (just the default without `accounts.json`)."""
    try:
        data = json.loads(paths.accounts_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [DEFAULT]
    items = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return [DEFAULT]
    found: list[Account] = []
    for i, item in enumerate(items):
        account = _from_json(item, first=not found)
        if account is None:
            if i == 0:
                found.append(DEFAULT)  # a damaged default entry still leaves the default account
            continue
        if all(a.name.lower() != account.name.lower() and (not account.key or a.key != account.key)
               for a in found):
            found.append(account)
    return found[:MAX_ACCOUNTS]


def save(accounts: list[Account]) -> None:
    """Write the list (the default first)."""
    paths.ensure_home()
    items = [{"name": a.name, "key": a.key,
              "config_dir": str(a.config_dir) if a.config_dir else None} for a in accounts]
    write_private(paths.accounts_file(), json.dumps({"accounts": items}, indent=2) + "\n")


def find(name: str | None, accounts: list[Account] | None = None) -> Account:
    """Return the account called `name` (any case), or the default for None; raise if unknown."""
    accounts = accounts if accounts is not None else load()
    if name is None:
        return accounts[0]
    for account in accounts:
        if account.name.lower() == name.lower():
            return account
    names = ", ".join(a.name for a in accounts)
    raise AccountError(f"no account named {name!r} (accounts: {names}); "
                       f"see `claude-carthing account list`")


def for_config_dir(folder: str | None, accounts: list[Account] | None = None) -> Account | None:
    """Return the account whose Claude Code folder is `folder` (None: Claude Code's default
    folder, `~/.claude`). A folder no account reads is the default account's when it is the
    only one, and nobody's (None) when there are several: its numbers are another account's."""
    accounts = accounts if accounts is not None else load()
    wanted = _same_path(Path(folder) if folder else Path.home() / ".claude")
    for account in accounts:
        if _same_path(config_folder(account)) == wanted:
            return account
    return accounts[0] if len(accounts) == 1 else None


def _same_path(path: Path) -> str:
    try:
        resolved = path.expanduser().resolve()
    except (OSError, RuntimeError):
        resolved = path.expanduser()
    return str(resolved).rstrip("/\\").casefold()  # Windows and macOS: case does not matter


def _check_name(name: str, accounts: list[Account], *, but: Account | None = None) -> None:
    if not NAME.fullmatch(name):
        raise AccountError(f"account name {name!r} is not allowed: use {NAME_RULE}")
    if any(a.name.lower() == name.lower() and a != but for a in accounts):
        raise AccountError(f"there is already an account named {name!r}")


def add(name: str, config_dir: Path | None = None) -> Account:
    """Add an account (read through `config_dir`'s Claude Code, or a `login --account`)."""
    accounts = load()
    _check_name(name, accounts)
    if len(accounts) >= MAX_ACCOUNTS:
        raise AccountError(f"at most {MAX_ACCOUNTS} accounts can be shown")
    if config_dir is not None:
        config_dir = config_dir.expanduser().absolute()
        taken = [a.name for a in accounts if a.config_dir is not None
                 and _same_path(a.config_dir) == _same_path(config_dir)]
        if taken:
            raise AccountError(f"account {taken[0]!r} already reads {config_dir}")
    key = f"{name.lower()}-{secrets.token_hex(2)}"
    while (paths.home_dir() / "accounts" / key).exists():
        key = f"{name.lower()}-{secrets.token_hex(2)}"
    account = Account(name, key, config_dir)
    save([*accounts, account])
    return account


def rename(old: str, new: str) -> Account:
    """Give an account another name (its files, keyring entries and history stay its own)."""
    accounts = load()
    account = find(old, accounts)
    _check_name(new, accounts, but=account)
    renamed = Account(new, account.key, account.config_dir)
    save([renamed if a == account else a for a in accounts])
    return renamed


def remove(name: str) -> Account:
    """Forget an account other than the default, with its stored login and cookies."""
    from claude_carthing.upstream import cookie_store, credentials

    accounts = load()
    account = find(name, accounts)
    if account.is_default:
        raise AccountError(f"{account.name!r} is the default account and cannot be removed; "
                           f"use `claude-carthing logout` to forget its login, or "
                           f"`account rename` to call it something else")
    with using(account):
        credentials.delete_web()
        cookie_store.delete_cloudflare()
        folder = paths.account_dir()
    save([a for a in accounts if a != account])
    shutil.rmtree(folder, ignore_errors=True)
    return account
