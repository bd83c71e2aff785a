"""The console entry point: Claude Code's two hot commands first, the full CLI otherwise.

`statusline` and `hook` run after every answer and every hook event of Claude Code, so they
must start about as fast as a bare Python: they use the standard library only and never import
typer, rich or our settings. Everything else goes to the Typer app.
"""

import sys

FAST = ("statusline", "hook")


def main() -> None:
    """Run `claude-carthing`."""
    if len(sys.argv) > 1 and sys.argv[1] in FAST:
        try:
            from claude_carthing.claude_code.fast import run
        except BaseException:  # noqa: BLE001 - even a Ctrl+C while starting: exit 0, silently
            sys.exit(0)
        sys.exit(run(sys.argv[1], sys.argv[2:]))
    from claude_carthing.cli import main as cli_main

    cli_main()
