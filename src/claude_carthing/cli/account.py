"""`login` and `logout`: store or remove a claude.ai session key."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from claude_carthing import credentials, errors
from claude_carthing.cli.exit import ExitStatus, run_friendly
from claude_carthing.settings import load_settings

TRANSIENT_RETRY_S = 3.0


def clean_key(raw: str) -> str:
    """Accept a key pasted with its cookie name or quotes around it."""
    key = raw.strip().strip('"').strip("'").strip()
    return key.removeprefix("sessionKey=").strip()


def register(app: typer.Typer) -> None:
    """Add `login` and `logout`."""

    @app.command()
    def login(
        stdin: Annotated[
            bool, typer.Option("--stdin", help="Read the session key from standard input.")
        ] = False,
    ) -> None:
        """Store your claude.ai session key (asked with hidden input) and find your org."""

        def body() -> int:
            if stdin:
                raw = typer.get_text_stream("stdin").readline()
            elif not sys.stdin.isatty():  # hidden input needs a terminal
                typer.echo("error: no terminal to ask for the key in; pipe it instead: "
                           "claude-carthing login --stdin", err=True)
                return int(ExitStatus.USAGE)
            else:
                typer.echo("Paste the value of the `sessionKey` cookie of claude.ai "
                           "(browser developer tools > Application > Cookies).")
                raw = typer.prompt("Session key", hide_input=True)
            key = clean_key(raw)
            if not key:
                raise errors.NotConfiguredError("no session key given")
            if not key.startswith("sk-ant-"):
                typer.echo("warning: session keys usually start with sk-ant-sid01-", err=True)
            from claude_carthing.client import UsageClient  # curl_cffi: only when needed

            client = UsageClient(load_settings())
            try:
                try:
                    org = client.discover_org(key)
                except errors.SessionExpiredError:
                    time.sleep(TRANSIENT_RETRY_S)  # a brand-new cookie can 401 for a moment
                    org = client.discover_org(key)
            finally:
                client.close()
            where = credentials.store_web(
                key,
                {"org_id": org.uuid, "org_name": org.name, "plan": org.plan,
                 "rate_limit_tier": org.rate_limit_tier},
            )
            place = "the OS keyring" if where == "keyring" else "a private file in the home folder"
            plan = f" ({org.plan})" if org.plan else ""
            typer.echo(f"Logged in: organization {org.name or org.uuid}{plan}. "
                       f"Session key stored in {place}.")
            return 0

        run_friendly(body)

    @app.command()
    def logout() -> None:
        """Remove the stored session key and organization."""

        def body() -> None:
            removed = credentials.delete_web()
            typer.echo("Logged out." if removed else "Nothing was stored.")

        run_friendly(body)
