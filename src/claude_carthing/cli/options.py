"""Options shared by several commands, declared once."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Optional

import typer


def typer_app(**kwargs: Any) -> typer.Typer:
    """Return a Typer app that never prints rich tracebacks with local variables (secrets)."""
    # Some typer versions show locals by default, and `login` holds the session key in one.
    # Plain help: typer's rich help lists plain flags as `--demo <bool>`, as if they took a value.
    return typer.Typer(pretty_exceptions_enable=False, pretty_exceptions_show_locals=False,
                       rich_markup_mode=None, **kwargs)


ListenHost = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional at runtime on Python 3.10
    typer.Option("--host", help="Address to listen on (default from config, 0.0.0.0: all)."),
]
ServerHost = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--host", help="Address of the running server to ask (default from config; "
                 "0.0.0.0 means this PC)."),
]
AccountName = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--account", help="The account (see `claude-carthing account list`); "
                 "default: the default account."),
]
Port = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--port", min=1, max=65535, help="Server port (default from config, 8080)."),
]


class SourceChoice(str, Enum):
    """The `--source` values, checked by the parser (settings.SOURCES, as choices)."""

    AUTO = "auto"
    CLAUDE_CODE = "claude-code"
    OAUTH = "oauth"
    WEB = "web"


Source = Annotated[
    Optional[SourceChoice],  # noqa: UP045
    typer.Option("--source", help="auto (default), claude-code (ask Claude Code), oauth (Claude "
                 "Code's login) or web (session key)."),
]
