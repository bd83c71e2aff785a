"""`login` and `logout`: store or remove a claude.ai session (key plus Cloudflare cookies)."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from claude_carthing import accounts, errors
from claude_carthing.account_scope import using
from claude_carthing.cli.exit import ExitStatus, run_friendly
from claude_carthing.cli.options import AccountName
from claude_carthing.settings import load_settings
from claude_carthing.upstream import cookie_store, credentials
from claude_carthing.upstream.cookies import SESSION, continues, parse_login_input

TRANSIENT_RETRY_S = 3.0
MAX_PASTED_LINES = 200
HOW_TO = ("Paste the value of the `sessionKey` cookie of claude.ai (browser developer tools > "
          "Application > Cookies), the whole `Cookie` header, or a claude.ai request copied "
          "as cURL (Network tab > right-click > Copy as cURL). Input is hidden.")


def read_hidden() -> str:
    """Read pasted text with hidden input, following shell line continuations of a cURL text."""
    lines = [typer.prompt("Session key", hide_input=True)]
    while continues(lines[-1]) and len(lines) < MAX_PASTED_LINES:
        lines.append(typer.prompt("", hide_input=True, prompt_suffix="", default="",
                                  show_default=False))
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `login` and `logout`."""

    @app.command()
    def login(
        stdin: Annotated[
            bool, typer.Option("--stdin", help="Read the session key, Cookie header or cURL "
                                               "text from standard input.")
        ] = False,
        account: AccountName = None,
    ) -> None:
        """Store your claude.ai session (asked with hidden input) and find your org."""

        def body() -> int:
            with using(accounts.find(account)):
                return log_in()

        def log_in() -> int:
            if stdin:
                raw = typer.get_text_stream("stdin").read()
                if not raw.strip():  # a usage mistake (exit 2), not a missing login (4)
                    raise typer.BadParameter(
                        "nothing on standard input; pipe the key in, e.g. "
                        "`claude-carthing login --stdin < key.txt`", param_hint="'--stdin'")
            elif not sys.stdin.isatty():  # hidden input needs a terminal
                typer.echo("error: no terminal to ask for the key in; pipe it instead: "
                           "claude-carthing login --stdin", err=True)
                return int(ExitStatus.USAGE)
            else:
                typer.echo(HOW_TO)
                raw = read_hidden()
            pasted = parse_login_input(raw)  # only sessionKey, cf_clearance, __cf_bm survive
            key = pasted.pop(SESSION)
            if not key.startswith("sk-ant-"):
                typer.echo("warning: session keys usually start with sk-ant-sid01-", err=True)
            from claude_carthing.upstream.client import (  # curl_cffi: when needed
                UsageClient,
                WebExtras,
            )

            extra = WebExtras(pasted, cookie_store.device_id())
            client = UsageClient(load_settings())
            try:
                try:
                    org = client.discover_org(key, extra)
                except errors.SessionExpiredError:
                    time.sleep(TRANSIENT_RETRY_S)  # a brand-new cookie can 401 for a moment
                    org = client.discover_org(key, extra)
            finally:
                client.close()
            where = credentials.store_web(
                key,
                {"org_id": org.uuid, "org_name": org.name, "plan": org.plan,
                 "rate_limit_tier": org.rate_limit_tier},
            )
            cookie_store.store_cloudflare(pasted)
            place = "the OS keyring" if where == "keyring" else "a private file in the home folder"
            plan = f" ({org.plan})" if org.plan else ""
            extra_note = " with its Cloudflare cookies" if pasted else ""
            whose = f"Account {account}: logged" if account else "Logged"
            typer.echo(f"{whose} in: organization {org.name or org.uuid}{plan}. "
                       f"Session key{extra_note} stored in {place}.")
            return 0

        run_friendly(body)

    @app.command()
    def logout(account: AccountName = None) -> None:
        """Remove the stored session key, Cloudflare cookies and organization (of one account)."""

        def body() -> None:
            with using(accounts.find(account)):
                log_out()

        def log_out() -> None:
            removed = cookie_store.delete_cloudflare()
            removed = credentials.delete_web() or removed
            typer.echo("Logged out." if removed else "Nothing was stored.")

        run_friendly(body)
