"""`claude-carthing status`: the usage in the terminal, from the running server or Claude."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
from typing import Annotated, Any

import typer
from rich.console import Console, Group

from claude_carthing import accounts, i18n
from claude_carthing.account_scope import using
from claude_carthing.claude_code.sessions_text import render_sessions
from claude_carthing.cli.exit import ExitStatus, run_friendly
from claude_carthing.cli.options import AccountName, Port, ServerHost, Source
from claude_carthing.errors import CarthingError
from claude_carthing.local_http import get_json
from claude_carthing.logs import setup_logging
from claude_carthing.serving.payload import account_entry, usage_document
from claude_carthing.settings import Settings, load_settings
from claude_carthing.terminal import render_usage
from claude_carthing.terminal_accounts import render_accounts

_EXIT_BY_STATE = {
    "live": ExitStatus.OK,
    "demo": ExitStatus.OK,
    "stale": ExitStatus.STALE,
    "waiting": ExitStatus.STALE,
    "not_configured": ExitStatus.NOT_CONFIGURED,
}


def server_url(settings: Settings) -> str:
    """Return the loopback URL of a server started with these settings."""
    host = settings.host
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def _ours(data: Any, path: str) -> bool:
    """True for a document of ours: `/usage` has `meta`, `/api/accounts` has `accounts`."""
    return isinstance(data, dict) and ("accounts" if path.startswith("/api/accounts")
                                       else "meta") in data


def usage_path(account: str | None) -> str:
    """Return the `/usage` path of one account (the default without a name)."""
    return "/usage" + (f"?{urllib.parse.urlencode({'account': account})}" if account else "")


def _fetch(settings: Settings, path: str, timeout: float) -> Any:
    """GET `path` of the server; a 404 for one account's `/usage` is an unknown account."""
    try:
        return get_json(server_url(settings) + path, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and path.startswith("/usage?"):  # no such account on that server
            raise _unknown_account(exc) from None
        raise


def from_server(settings: Settings, timeout: float = 3.0,
                path: str = "/usage") -> dict[str, Any] | None:
    """Return the running server's `/usage` (or `path`) document, None when no server answers."""
    try:
        data = _fetch(settings, path, timeout)
    except (OSError, ValueError):  # URLError and HTTPError are OSErrors
        return None
    return data if _ours(data, path) else None


def _unknown_account(exc: urllib.error.HTTPError) -> CarthingError:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    names = ", ".join(str(n) for n in body.get("accounts") or [])
    error = CarthingError(f"{body.get('error') or 'no such account'} on the running server"
                          + (f" (accounts: {names})" if names else ""))
    error.kind = "config"
    return error


class NamedServerError(CarthingError):
    """The server the user named with --host does not answer."""

    kind = "network"


def _why(exc: BaseException, settings: Settings) -> str:
    reason = getattr(exc, "reason", exc) if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return f"{settings.host} does not resolve"
    if isinstance(reason, ConnectionRefusedError):
        return f"nothing listens on port {settings.port}"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "no answer in time"
    if isinstance(reason, ValueError):
        return "something answered, but not claude-carthing's server"
    return f"cannot connect: {getattr(reason, 'strerror', None) or reason}"


def from_named_server(settings: Settings, timeout: float = 3.0,
                      path: str = "/usage") -> dict[str, Any]:
    """Return the `/usage` document of the server the user named; raise naming it otherwise.

    A host given with --host is never swapped for a direct read of Claude: that would show
    this PC's account (or "not configured") as if it were that server's.
    """
    url = server_url(settings)
    try:
        data = _fetch(settings, path, timeout)
    except (OSError, ValueError) as exc:  # URLError is an OSError
        why = _why(exc, settings)
    else:
        if _ours(data, path):
            return dict(data)
        why = "something answered, but not claude-carthing's server"
    raise NamedServerError(f"no claude-carthing server at {url} (--host {settings.host}): {why}. "
                           "Check the host and --port, or leave --host out to ask the server "
                           "on this PC (or Claude directly)")


def from_upstream(settings: Settings) -> dict[str, Any]:
    """Read Claude once, directly (when no server runs), and return a `/usage` document."""
    from claude_carthing.poller import Poller
    from claude_carthing.upstream.sources import ClaudeSource

    poller = Poller(ClaudeSource(settings), interval=settings.interval)
    try:
        snap = poller.poll_once()
    finally:
        poller.stop()
    doc = usage_document(snap, poller.clock())
    doc["meta"]["poll_mode"] = doc["meta"]["next_poll_at_ms"] = None  # no poller lives on
    return doc


def from_upstream_all(settings: Settings) -> dict[str, Any]:
    """Read every account once, directly, and return an `/api/accounts`-shaped document."""
    entries = []
    for i, account in enumerate(accounts.load()):
        with using(account):
            entries.append(account_entry(account.name, i == 0, from_upstream(settings)))
    return {"accounts": entries}


def every_account(settings: Settings, named: bool) -> dict[str, Any] | None:
    """Return `/api/accounts` of the server (or read directly) when several accounts are shown,
    None when there is one (then `status` looks as it always did)."""
    fetch = from_named_server if named else from_server
    doc = fetch(settings, path="/usage")
    if doc is not None:
        if len((doc.get("meta") or {}).get("accounts") or ()) < 2:
            return None
        return fetch(settings, path="/api/accounts")
    if len(accounts.load()) < 2:
        return None
    return from_upstream_all(settings)


def exit_status_all(doc: dict[str, Any]) -> ExitStatus:
    """Return the exit code of several accounts: the first one's (default first) that is not 0."""
    codes = [exit_status(entry) for entry in doc.get("accounts") or [] if isinstance(entry, dict)]
    return next((code for code in codes if code != ExitStatus.OK), ExitStatus.OK)


def exit_status(doc: dict[str, Any]) -> ExitStatus:
    """Return the exit code for a document: ok, stale, not configured, auth or error."""
    meta = doc.get("meta") or {}
    state = meta.get("state")
    if state in _EXIT_BY_STATE:
        return _EXIT_BY_STATE[state]
    kind = meta.get("error_kind")
    if kind == "auth":
        return ExitStatus.AUTH
    if kind in ("network", "cloudflare", "rate_limited", "server"):
        return ExitStatus.UNREACHABLE
    return ExitStatus.ERROR


def register(app: typer.Typer) -> None:
    """Add the `status` command."""

    @app.command()
    def status(
        *,
        as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
        watch: Annotated[
            bool, typer.Option("--watch", help="Live view: bars, countdowns, history; Ctrl+C.")
        ] = False,
        host: ServerHost = None,
        port: Port = None,
        source: Source = None,
        account: AccountName = None,
    ) -> None:
        """Show the usage (every account compactly; one in full with --account). Exit: 0 ok,
        3 stale, 4 not configured, 5 auth, 7 unreachable, 1 error."""

        def body() -> int:
            settings = load_settings(host=host, port=port, source=source and source.value)
            i18n.activate(settings.language)
            setup_logging("ERROR", to_file=False)  # the view itself says what went wrong
            path = usage_path(account)
            if watch:
                from claude_carthing import watch as live

                if host is not None:
                    from_named_server(settings, path=path)  # a server that does not answer
                return live.run(settings, server_url(settings), account=account)
            if account is None:
                several = every_account(settings, named=host is not None)
                if several is not None:
                    return show_all(several)
            if host is not None:
                doc = from_named_server(settings, path=path)
            else:
                found = from_server(settings, path=path)
                if found is None:
                    with using(accounts.find(account)):
                        found = from_upstream(settings)
                doc = found
            if as_json:
                typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
            else:
                console = Console()
                console.print(Group(render_usage(doc, console.width), *render_sessions(doc)))
            return int(exit_status(doc))

        def show_all(doc: dict[str, Any]) -> int:
            if as_json:
                typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
            else:
                console = Console()
                console.print(Group(render_accounts(doc, console.width), *render_sessions(doc)))
            return int(exit_status_all(doc))

        run_friendly(body)
