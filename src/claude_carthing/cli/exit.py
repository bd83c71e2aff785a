"""Named exit codes, and the one place errors become a friendly line and a code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from claude_carthing.errors import CarthingError
from claude_carthing.exit_codes import ExitStatus, status_for

__all__ = ["ExitStatus", "friendly_errors", "run_friendly", "status_for"]


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
