"""Named exit codes, without the command line's libraries (`serve` runs without them)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import IntEnum

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


FRIENDLY = (CarthingError, OSError, KeyboardInterrupt)


def describe(exc: BaseException) -> tuple[str, int]:
    """Return the one line said on stderr for one of the `FRIENDLY` errors, and its exit code."""
    if isinstance(exc, CarthingError):
        return f"error: {exc}", int(status_for(exc))
    if isinstance(exc, OSError):  # an unwritable home folder, a full disk...
        where = f" {exc.filename}" if exc.filename else ""
        return f"error: cannot use{where}: {exc.strerror or exc}", int(ExitStatus.ERROR)
    return "", 130  # Ctrl+C


def run_plain(fn: Callable[[], int | None]) -> int:
    """Run `fn` as `cli.exit.run_friendly` does, for a process without typer; return the code."""
    try:
        return int(fn() or 0)
    except FRIENDLY as exc:
        line, code = describe(exc)
        print(line, file=sys.stderr)
        return code
