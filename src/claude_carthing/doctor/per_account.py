"""Doctor's checks of each Claude account: its credentials, a live read and its Claude Code
connection, named after the account when there are several."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from claude_carthing.account_scope import Account, config_folder, using
from claude_carthing.doctor import host
from claude_carthing.doctor.claude_code import check_claude_code
from claude_carthing.doctor.model import Check
from claude_carthing.settings import Settings

Runner = Callable[[Callable[[], Check]], Check]


def for_account(check: Check, account: Account) -> Check:
    """Return `check` named after `account`, its fix telling how to mend that account."""
    fix = check.fix
    if fix and not account.is_default:
        fix = fix.replace("`claude-carthing login`",
                          f"`claude-carthing login --account {account.name}`")
        if account.config_dir is not None:
            fix = fix.replace("log in to Claude Code on this PC",
                              f"log in to Claude Code with CLAUDE_CONFIG_DIR={account.config_dir}")
            fix = fix.replace("Run `claude-carthing claude-code install`",
                              f"With CLAUDE_CONFIG_DIR={account.config_dir} set, run "
                              "`claude-carthing claude-code install`")
    return replace(check, name=f"{check.name} ({account.name})", fix=fix,
                   data={"account": account.name, **check.data})


def source_checks(settings: Settings, live_read: bool, everyone: list[Account],
                  run: Runner) -> list[Check]:
    """Return the credentials and live read checks of every account, in the accounts' order."""
    several = len(everyone) > 1
    checks: list[Check] = []
    for account in everyone:
        with using(account):
            creds = run(lambda: host.check_credentials(settings, several=several))
            if not live_read:
                live = Check("live usage read", "skip", "not checked: --no-live")
            elif creds.status != "ok":
                live = Check("live usage read", "skip", "not checked: no usable credentials")
            else:
                live = run(lambda: host.check_live_read(settings))
        checks += [for_account(c, account) for c in (creds, live)] if several else [creds, live]
    return checks


def claude_code_checks(everyone: list[Account], run: Runner) -> list[Check]:
    """Return the Claude Code connection of every account read through a Claude Code folder
    (one account: the one check of before). A folder two accounts share is checked once."""
    if len(everyone) == 1:
        return [run(check_claude_code)]
    checks: list[Check] = []
    seen: set[str] = set()
    for account in everyone:
        if not account.is_default and account.config_dir is None:
            continue  # a claude.ai session only: no Claude Code of its own to connect
        folder = str(config_folder(account))
        if folder in seen:
            continue
        seen.add(folder)
        with using(account):
            checks.append(for_account(run(check_claude_code), account))
    return checks
