"""`serve` itself, in a process without the command line's libraries.

`claude-carthing serve` parses its options with typer, which loads pydantic, click and the
other commands' code: about 10 MiB a server running all day would keep for nothing. So on
POSIX, once the options are checked, the command replaces its process (same pid, same
terminal, same signals) with `python -m claude_carthing.serve_main OPTIONS-JSON`, which runs
the code below. On Windows, and when the CLI is driven in-process (tests), `run` is called
directly.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.exit_codes import run_plain

log = logging.getLogger("claude_carthing")


def run(options: dict[str, Any]) -> None:
    """Serve until stopped. `options`: host, port, source, interval, demo, tray (or None)."""
    from claude_carthing.logs import setup_logging
    from claude_carthing.service import bind, build_service
    from claude_carthing.service import serve as run_server
    from claude_carthing.settings import load_settings

    demo, tray = bool(options.get("demo")), bool(options.get("tray"))
    settings = load_settings(host=options.get("host"), port=options.get("port"),
                             source=options.get("source"), interval=options.get("interval"))
    setup_logging(settings.log_level)
    from claude_carthing import i18n

    i18n.activate(settings.language)  # notifications and the tray speak it
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
    if len(service.watched) > 1:
        log.info("Showing %d accounts: %s (the first is the default).", len(service.watched),
                 ", ".join(one.name for one in service.watched))
    log.info("Home folder: %s. Stop with Ctrl+C.", paths.home_dir())
    if tray:
        from claude_carthing.tray.app import serve_with_tray

        if serve_with_tray(service, sock):
            log.info("Stopped.")
            return
    run_server(service, sock)
    log.info("Stopped.")


def started_as_the_program() -> bool:
    """True when this process is `claude-carthing` itself (not a test driving the CLI)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == "claude_carthing.__main__":
        return True  # python -m claude_carthing
    return Path(sys.argv[0]).stem == "claude-carthing"  # the installed command


def exec_serve(options: dict[str, Any]) -> None:
    """Replace this process with a lean `serve` (POSIX, as the program); return if it cannot."""
    if os.name != "posix" or getattr(sys, "frozen", False) or not started_as_the_program():
        return
    if os.environ.get("CLAUDE_CARTHING_SERVE_IN_PROCESS"):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, [sys.executable, "-m", "claude_carthing.serve_main",  # noqa: S606 - no shell: our own interpreter
                                  json.dumps(options)])
    except OSError:
        return  # no interpreter to start again (unusual): serve in this process instead


def main(argv: list[str] | None = None) -> None:
    """Entry of the lean process: the options come as one JSON argument."""
    args = sys.argv[1:] if argv is None else argv
    options = json.loads(args[0]) if args else {}
    sys.exit(run_plain(lambda: run(options)))


if __name__ == "__main__":
    main()
