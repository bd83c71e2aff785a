"""`claude-carthing serve`: poll Claude and serve the JSON and the dashboard."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from claude_carthing.cli.exit import run_friendly
from claude_carthing.cli.options import ListenHost, Port, Source
from claude_carthing.settings import MAX_INTERVAL_S, MIN_INTERVAL_S, load_settings


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
            from claude_carthing.serve_main import exec_serve, run

            chosen = getattr(source, "value", source)  # a plain string for the JSON below
            load_settings(host=host, port=port, source=chosen, interval=interval)  # exit 8 here
            options = {"host": host, "port": port, "source": chosen, "interval": interval,
                       "demo": demo, "tray": tray}
            exec_serve(options)  # returns only where the process cannot be replaced
            run(options)

        run_friendly(body)
