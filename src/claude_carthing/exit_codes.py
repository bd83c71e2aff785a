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


def run_plain(fn: Callable[[], int | None]) -> int:
    """Run `fn`; say our errors in one `error:` line on stderr; return the exit code.

    The words and codes of `cli.exit.friendly_errors`, for `serve`'s process without typer.
    """
    try:
        return int(fn() or 0)
    except CarthingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(status_for(exc))
    except OSError as exc:  # an unwritable home folder, a full disk...
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
