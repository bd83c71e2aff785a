"""`claude-carthing account list|add|remove|rename`: the Claude accounts shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from claude_carthing import accounts
from claude_carthing.account_scope import Account, using
from claude_carthing.cli.exit import run_friendly
from claude_carthing.cli.options import typer_app

account_app = typer_app(help="The Claude accounts shown: list, add, remove, rename.",
                        no_args_is_help=True)
RESTART = ("A running `claude-carthing serve` shows the change after a restart "
           "(started by `autostart`: `autostart disable`, then `autostart enable`).")


def describe(account: Account) -> str:
    """Say where an account's usage is read from, and whether a login is stored for it."""
    from claude_carthing.upstream import credentials

    with using(account):
        folder = credentials.claude_config_dir()
        org = credentials.read_account().get("org_name")
        try:
            stored = credentials.read_web() is not None
        except credentials.CredentialsError:
            stored = True  # a locked keyring: the key is there, only not readable now
    session = ("claude.ai session stored" + (f" ({org})" if isinstance(org, str) else "")
               if stored else "no claude.ai session")
    if account.config_dir is None and not account.is_default:
        return session
    return f"Claude Code at {folder}; {session}"


def register(app: typer.Typer) -> None:
    """Add the `account` command group."""
    app.add_typer(account_app, name="account")


@account_app.command("list")
def list_accounts() -> None:
    """List the accounts, the default first, with where each is read from."""

    def body() -> None:
        for i, account in enumerate(accounts.load()):
            mark = " (default)" if i == 0 else ""
            typer.echo(f"{account.name}{mark}: {describe(account)}")

    run_friendly(body)


@account_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name shown on the display, e.g. work.")],
    claude_config_dir: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional at runtime on Python 3.10
        typer.Option("--claude-config-dir", help="The account's Claude Code config folder "
                     "(its CLAUDE_CONFIG_DIR). Without it, log the account in with "
                     "`claude-carthing login --account NAME`."),
    ] = None,
) -> None:
    """Add an account, read through its own Claude Code folder or a claude.ai session."""

    def body() -> None:
        account = accounts.add(name, claude_config_dir)
        if account.config_dir is not None:
            where = f"read through Claude Code's folder {account.config_dir}"
            if not account.config_dir.is_dir():
                typer.echo(f"warning: {account.config_dir} does not exist yet; log in to Claude "
                           f"Code with CLAUDE_CONFIG_DIR={account.config_dir}", err=True)
        else:
            where = f"log it in with `claude-carthing login --account {account.name}`"
        typer.echo(f"Added account {account.name}: {where}. {RESTART}")

    run_friendly(body)


@account_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The account to forget.")]) -> None:
    """Forget an account with its stored claude.ai session (never the default account)."""

    def body() -> None:
        gone = accounts.remove(name)
        typer.echo(f"Removed account {gone.name} and its stored session. {RESTART}")

    run_friendly(body)


@account_app.command("rename")
def rename(old: Annotated[str, typer.Argument(help="Its name now.")],
           new: Annotated[str, typer.Argument(help="The new name.")]) -> None:
    """Rename an account (its login and history stay with it)."""

    def body() -> None:
        renamed = accounts.rename(old, new)
        typer.echo(f"Renamed {old} to {renamed.name}. {RESTART}")

    run_friendly(body)
