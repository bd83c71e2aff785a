"""Assemble the running service (source, history, poller, web app) and serve it."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import socket
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from claude_carthing import accounts, paths
from claude_carthing.account_scope import DEFAULT, bound, using
from claude_carthing.alerts.dispatch import Alerts
from claude_carthing.alerts.observed import ObservedPoller
from claude_carthing.claude_code.sessions import Sessions
from claude_carthing.errors import CarthingError
from claude_carthing.history import History
from claude_carthing.models import HistorySink
from claude_carthing.serving.accounts import Watched
from claude_carthing.serving.connections import protocol_for
from claude_carthing.serving.metrics import ReadCounter
from claude_carthing.serving.server import create_app
from claude_carthing.settings import Settings
from claude_carthing.upstream.sources import AccountSource, ClaudeSource, UsageSource

log = logging.getLogger(__name__)

class PortInUseError(CarthingError):
    """The port is taken by another program (often a server already running)."""

    kind = "port_in_use"


@dataclass
class Service:
    """Everything `serve` runs: a poller per account, the history and the ASGI app.

    `poller` and `alerts` are the default account's; `watched` has every account's, the
    default first.
    """

    settings: Settings
    poller: ObservedPoller
    history: History | None
    app: Any
    alerts: Alerts | None = None
    sessions: Sessions | None = None
    demo: bool = False
    waiting: Any = None  # claude_code.waiting_alert.WaitingAlerts
    watched: list[Watched] = field(default_factory=list)

    def everyone(self) -> list[Watched]:
        """Every account's poller and alerts (a Service made by hand has the default's only)."""
        return self.watched or [Watched(DEFAULT, self.poller, None, self.alerts)]

    def close(self) -> None:
        """Stop polling and close the history (safe to call twice)."""
        for one in self.everyone():
            if one.alerts is not None:
                one.alerts.stop()
        if self.waiting is not None:
            self.waiting.stop()
        stopped = [one.poller.stop() for one in self.everyone()]
        if not all(stopped):
            return  # a poller may still write: leave the history to the process exit
        if self.history is not None:
            self.history.close()
            self.history = None


def open_history(settings: Settings, *, demo: bool = False) -> History | None:
    """Open the history; move a corrupted database aside (kept as a backup) and start anew.

    Demo readings go to a database of their own, so they never mix with the real history.
    """
    path = paths.history_db()
    if demo:
        path = path.with_name("demo-" + path.name)
    try:
        return History(path, keep_days=settings.history_days)
    except sqlite3.OperationalError as exc:
        # locked, read-only, disk full, cannot open: the file may be fine, so never move it
        log.error("History disabled: cannot use %s (%s)", path, exc)  # noqa: TRY400
        return None
    except RuntimeError as exc:  # written by a newer version: leave it for that version
        log.error("History disabled: %s", exc)  # noqa: TRY400
        return None
    except sqlite3.DatabaseError as exc:
        backup = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        log.warning("The history database is damaged (%s); keeping it as %s and starting a "
                    "new one.", exc, backup.name)
        with contextlib.suppress(OSError):
            shutil.move(str(path), str(backup))
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        try:
            return History(path, keep_days=settings.history_days)
        except sqlite3.Error as again:
            log.error("History disabled: %s", again)  # noqa: TRY400 - no traceback for users
            return None
    except OSError as exc:
        log.error("History disabled: cannot write %s (%s)", path, exc.strerror)  # noqa: TRY400
        return None


def build_service(
    settings: Settings,
    *,
    demo: bool = False,
    clock: Callable[[], float] = time.time,
    source: UsageSource | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    print_readings: bool = False,
    sources: dict[str, UsageSource] | None = None,
) -> Service:
    """Create the parts of the service without starting anything (`print_readings`: a line
    per successful read on stdout, for a terminal). `source` replaces the default account's
    source, `sources` any account's (by name): for tests."""
    history = open_history(settings, demo=demo)
    if demo and history is not None:
        from claude_carthing.demo import seed_history

        seed_history(history, clock())  # the demo's charts start with a plausible past
    interval = 60 if demo else settings.interval
    from claude_carthing.claude_code.activity import signature
    from claude_carthing.upstream import credentials

    watched: list[Watched] = []
    pollers: list[ObservedPoller] = []
    everyone = accounts.load()
    for account in everyone:
        chosen = (sources or {}).get(account.name)
        if chosen is None and account.is_default:
            chosen = source
        if chosen is None:
            if demo:
                from claude_carthing.demo import DemoSource

                chosen = DemoSource(clock, account.name if len(everyone) > 1 else "")
            else:
                chosen = ClaudeSource(settings)
        view = history.view(account.key) if history is not None else None
        sink: HistorySink | None = view
        if print_readings:
            from claude_carthing.logs import ReadingPrinter

            sink = ReadingPrinter(view, account=account.name if len(everyone) > 1 else None)
        poller = ObservedPoller(AccountSource(chosen, account), interval=interval, history=sink,
                                clock=clock, monotonic=monotonic,
                                fingerprint=bound(account, credentials.fingerprint),
                                max_interval=None if demo else settings.max_interval,
                                activity=None if demo else bound(account, signature),
                                label=account.name if len(everyone) > 1 else None)
        with using(account):
            # One notifier for every account: a desktop without notifications is said once.
            alerts = Alerts(settings, demo=demo, clock=clock,
                            shower=watched[0].alerts.shower if watched else None,
                            account=account.name if len(everyone) > 1 else None)
        reads = ReadCounter()
        poller.listeners += [reads.observe, alerts.observe]
        poller.reading_listeners.append(alerts.observe)
        watched.append(Watched(account, poller, view, alerts, reads))
        pollers.append(poller)
    default = watched[0]
    sessions = Sessions(clock)
    from claude_carthing.claude_code.waiting_alert import WaitingAlerts

    assert default.alerts is not None  # noqa: S101 - made just above
    waiting = WaitingAlerts(sessions, default.alerts, settings.notify_waiting_minutes, clock)
    service = Service(settings, pollers[0], history, None, default.alerts, sessions, demo,
                      waiting, watched)
    service.app = with_lifespan(create_app(pollers[0], settings, history, default.reads,
                                           sessions, accounts=watched), service)
    return service


def with_lifespan(app: Any, service: Service) -> Any:
    """Wrap the app so the poller starts with the server and everything stops with it."""

    @contextlib.asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        from claude_carthing.claude_code import endpoint

        for one in service.everyone():
            if one.alerts is not None:
                one.alerts.start()
            one.poller.start()
        if service.waiting is not None:
            service.waiting.start()
        if not service.demo:  # Claude Code's status line finds the real server only
            endpoint.write(service.settings.host, service.settings.port)
        try:
            yield
        finally:
            if not service.demo:
                endpoint.remove()
            service.close()

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            async with lifespan():
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
            if message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
            return
        await app(scope, receive, send)

    return wrapped


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so a taken port is one clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only turns Nagle off (TCP_NODELAY) on sockets whose proto
    # says TCP, and without it every keep-alive response waited ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if os.name != "nt":  # on Windows this flag would let two servers share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1), 10048):
            raise PortInUseError(
                f"port {port} on {host} is already in use (is claude-carthing already "
                f"running?); choose another with --port"
            ) from exc
        if exc.errno in (errno.EADDRNOTAVAIL, 10049):
            raise CarthingError(f"this computer has no address {host}; try --host 0.0.0.0") from exc
        raise CarthingError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def uvicorn_server(service: Service) -> uvicorn.Server:
    """Return a uvicorn server for the service (our logging, no access log)."""
    config = uvicorn.Config(
        service.app,
        # Foreign and excess connections are refused at accept, before they count here.
        http=protocol_for(service.settings.allowed_networks()),
        ws="none",  # uvicorn would speak WebSocket whenever `websockets` can be imported
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=3,
        server_header=False,
        proxy_headers=False,  # X-Forwarded-For from a local page must not pass for the device
        limit_concurrency=200,
        timeout_keep_alive=10,
    )
    return uvicorn.Server(config)


def serve(service: Service, sock: socket.socket) -> None:
    """Serve until Ctrl+C or SIGTERM, then shut down gracefully."""
    server = uvicorn_server(service)
    try:
        server.run(sockets=[sock])
    finally:
        service.close()
        sock.close()
