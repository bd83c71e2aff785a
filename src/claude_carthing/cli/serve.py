"""`claude-carthing serve`: poll Claude and serve the JSON and the dashboard."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Optional

import typer

from claude_carthing import paths
from claude_carthing.cli.exit import run_friendly
from claude_carthing.cli.options import ListenHost, Port, Source
from claude_carthing.logs import setup_logging
from claude_carthing.settings import MAX_INTERVAL_S, MIN_INTERVAL_S, load_settings

log = logging.getLogger("claude_carthing")


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""

    @app.command()
    def serve(  # noqa: PLR0917 - each parameter is a command-line option
        host: ListenHost = None,
        port: Port = None,
        source: Source = None,
        interval: Annotated[
            Optional[int],  # noqa: UP045
            typer.Option(min=MIN_INTERVAL_S, max=MAX_INTERVAL_S,
                         help="Seconds between reads while usage moves (minimum 60, default "
                              "300; up to max_interval while it does not)."),
        ] = None,
        demo: Annotated[
            bool, typer.Option("--demo", help="Serve labelled synthetic data; no account needed.")
        ] = False,
        tray: Annotated[
            bool, typer.Option("--tray", help="Show an icon in the system tray / menu bar "
                               '(needs pip install "claude-carthing[tray]").')
        ] = False,
    ) -> None:
        """Poll Claude every few minutes and serve the usage to the Car Thing and browsers."""

        def body() -> None:
            from claude_carthing.service import bind, build_service
            from claude_carthing.service import serve as run

            settings = load_settings(host=host, port=port, source=source and source.value,
                                     interval=interval)
            setup_logging(settings.log_level)
            sock = bind(settings.host, settings.port)
            # In a terminal, one line per read, as the original did; a service's journal gets
            # only the failures and recoveries the poller logs.
            service = build_service(settings, demo=demo, print_readings=sys.stdout.isatty())
            shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
            log.info("claude-carthing serving on http://%s:%d (dashboard: http://%s:%d/)",
                     settings.host, settings.port, shown, settings.port)
            if settings.host in ("0.0.0.0", "::"):
                log.info("A Car Thing on USB reaches it at http://172.16.42.1:%d (Nocturne "
                         "v3/v4.0) or at this PC's 10.42.1.x address (v4.1).", settings.port)
            if demo:
                log.info("DEMO MODE: the numbers are synthetic.")
            log.info("Home folder: %s. Stop with Ctrl+C.", paths.home_dir())
            if tray:
                from claude_carthing.tray.app import serve_with_tray

                if serve_with_tray(service, sock):
                    log.info("Stopped.")
                    return
            run(service, sock)
            log.info("Stopped.")

        run_friendly(body)
