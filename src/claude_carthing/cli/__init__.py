"""The `claude-carthing` command line."""

from __future__ import annotations

import typer

from claude_carthing import __version__
from claude_carthing.cli.options import typer_app

app = typer_app(
    name="claude-carthing",
    help="Your Claude plan's usage limits on a Spotify Car Thing, or any browser.",
    no_args_is_help=True,
    add_completion=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"claude-carthing {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """Show Claude usage limits on a Car Thing or any browser."""


from claude_carthing.cli import account, config, serve, status  # noqa: E402

serve.register(app)
account.register(app)
status.register(app)
config.register(app)

# --- commands from other modules: each module has `register(app)`; one line each ---
# (keep this block; helpers add their line here)
from claude_carthing.cli import setup  # noqa: E402 - registered after the app exists

setup.register(app)
from claude_carthing.cli import device  # noqa: E402 - registered after the app exists

device.register(app)
from claude_carthing.cli import claude_code  # noqa: E402 - registered after the app exists

claude_code.register(app)
from claude_carthing.cli import accounts  # noqa: E402 - registered after the app exists

accounts.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
