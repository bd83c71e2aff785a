"""`claude-carthing status`: the usage in the terminal, from the running server or Claude."""

from __future__ import annotations

import json
import socket
import urllib.error
from typing import Annotated, Any

import typer
from rich.console import Console, Group

from claude_carthing import i18n
from claude_carthing.claude_code.sessions_text import render_sessions
from claude_carthing.cli.exit import ExitStatus, run_friendly
from claude_carthing.cli.options import Port, ServerHost, Source
from claude_carthing.errors import CarthingError
from claude_carthing.local_http import get_json
from claude_carthing.logs import setup_logging
from claude_carthing.serving.payload import usage_document
from claude_carthing.settings import Settings, load_settings
from claude_carthing.terminal import render_usage

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


def from_server(settings: Settings, timeout: float = 3.0) -> dict[str, Any] | None:
    """Return the running server's `/usage` document, or None when no server answers."""
    try:
        data = get_json(server_url(settings) + "/usage", timeout)
    except (OSError, ValueError):  # URLError is an OSError
        return None
    return data if isinstance(data, dict) and "meta" in data else None


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


def from_named_server(settings: Settings, timeout: float = 3.0) -> dict[str, Any]:
    """Return the `/usage` document of the server the user named; raise naming it otherwise.

    A host given with --host is never swapped for a direct read of Claude: that would show
    this PC's account (or "not configured") as if it were that server's.
    """
    url = server_url(settings)
    try:
        data = get_json(url + "/usage", timeout)
    except (OSError, ValueError) as exc:  # URLError is an OSError
        why = _why(exc, settings)
    else:
        if isinstance(data, dict) and "meta" in data:
            return data
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
        as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
        watch: Annotated[
            bool, typer.Option("--watch", help="Live view: bars, countdowns, history; Ctrl+C.")
        ] = False,
        host: ServerHost = None,
        port: Port = None,
        source: Source = None,
    ) -> None:
        """Show the usage. Exit: 0 ok, 3 stale, 4 not configured, 5 auth, 7 unreachable, 1 error."""

        def body() -> int:
            settings = load_settings(host=host, port=port, source=source and source.value)
            i18n.activate(settings.language)
            setup_logging("ERROR", to_file=False)  # the view itself says what went wrong
            if watch:
                from claude_carthing import watch as live

                if host is not None:
                    from_named_server(settings)  # a named server that does not answer: say so
                return live.run(settings, server_url(settings))
            if host is not None:
                doc = from_named_server(settings)
            else:
                doc = from_server(settings) or from_upstream(settings)
            if as_json:
                typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
            else:
                console = Console()
                console.print(Group(render_usage(doc, console.width), *render_sessions(doc)))
            return int(exit_status(doc))

        run_friendly(body)
