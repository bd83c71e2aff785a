"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

Host = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional at runtime on Python 3.10
    typer.Option("--host", help="Address to listen on / to reach the server on."),
]
Port = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--port", help="Server port (default from config, 8080)."),
]
Source = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--source", help="auto (default), claude-code (ask Claude Code), oauth (Claude "
                 "Code's login) or web (session key)."),
]
