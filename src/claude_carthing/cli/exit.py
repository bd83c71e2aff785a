"""Named exit codes, and the one place errors become a friendly line and a code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum

import typer

from claude_carthing.errors import CarthingError


class ExitStatus(IntEnum):
    """Exit codes of every command."""

    OK = 0
    ERROR = 1
    USAGE = 2
    STALE = 3
    NOT_CONFIGURED = 4
    AUTH = 5
    PORT_IN_USE = 6
    UNREACHABLE = 7
    CONFIG = 8
    DEVICE = 9


_BY_KIND = {
    "not_configured": ExitStatus.NOT_CONFIGURED,
    "auth": ExitStatus.AUTH,
    "port_in_use": ExitStatus.PORT_IN_USE,
    "network": ExitStatus.UNREACHABLE,
    "cloudflare": ExitStatus.UNREACHABLE,
    "rate_limited": ExitStatus.UNREACHABLE,
    "server": ExitStatus.UNREACHABLE,
    "config": ExitStatus.CONFIG,
    "device": ExitStatus.DEVICE,
}


def status_for(error: CarthingError) -> ExitStatus:
    """Return the exit code for an error class."""
    return _BY_KIND.get(error.kind, ExitStatus.ERROR)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn our errors into one `error:` line on stderr and a named exit code."""
    try:
        yield
    except CarthingError as exc:
        typer.echo(f"error: {exc.once()}", err=True)  # a command tries once: no "retrying"
        raise typer.Exit(status_for(exc)) from None
    except OSError as exc:  # an unwritable home folder, a full disk...
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"error: cannot use{where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None
    except KeyboardInterrupt:
        typer.echo("", err=True)
        raise typer.Exit(130) from None


def run_friendly(fn: Callable[[], int | None]) -> None:
    """Run a command body under `friendly_errors` and exit with its code."""
    with friendly_errors():
        code = fn() or 0
    if code:
        sys.exit(int(code))
