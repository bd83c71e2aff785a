"""`claude-carthing claude-code install|uninstall|status`: connect Claude Code's status line and
hooks to the server. (`statusline` and `hook` themselves never come here: see launch.py.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from claude_carthing.cli.exit import ExitStatus, run_friendly
from claude_carthing.cli.options import typer_app

if TYPE_CHECKING:
    from claude_carthing.claude_code.settings_install import Report

claude_code_app = typer_app(help="Connect Claude Code's status line and hooks to claude-carthing.",
                            no_args_is_help=True)


def _show(report: Report) -> None:
    from claude_carthing.claude_code.settings_install import DEFAULT_MODE, MANUAL_MODES

    typer.echo(f"Claude Code settings: {report.settings}")
    typer.echo(f"  status line: {'ours' if report.status_line else 'not ours'}"
               + (f" (then runs your own: {report.chained})" if report.chained else ""))
    hooks = [e for e, ok in report.hooks.items() if ok]
    typer.echo(f"  hooks: {', '.join(hooks) if hooks else 'none of ours'}")
    typer.echo(f"  approvals from the Car Thing: {'on' if report.approvals else 'off'}"
               + ("" if report.approvals else " (`install --approvals` turns them on)"))
    mode = report.permission_mode
    shown = f"{mode} (Claude Code's default)" if mode == DEFAULT_MODE else mode
    typer.echo(f"  permission mode in your settings: {shown}")
    if report.approvals and mode not in MANUAL_MODES:
        typer.echo("    approvals from the dial matter in the default (manual) mode; in this "
                   "mode Claude Code answers most requests itself")
    if report.executable:
        typer.echo(f"  executable: {report.executable}")
    for problem in report.problems:
        typer.echo(f"  problem: {problem}")


@claude_code_app.command()
def install(
    approvals: bool | None = typer.Option(
        None, "--approvals/--no-approvals",
        help="Let the Car Thing's dial allow or deny Claude Code's permission requests "
             "(off unless asked; without either flag, kept as installed)."),
) -> None:
    """Add our status line and hooks to Claude Code's user settings (yours are kept)."""

    def body() -> int:
        from claude_carthing.claude_code.commands import our_executable
        from claude_carthing.claude_code.settings_install import InstallError, install
        from claude_carthing.settings import load_settings

        exe = our_executable()
        if exe is None:
            raise InstallError("cannot find the claude-carthing executable; install the "
                               "package with pip or pipx so the command exists")
        report = install(exe, approvals=approvals,
                         approval_s=load_settings().approval_timeout)
        if report.changed:
            typer.echo(f"Connected Claude Code to claude-carthing in {report.settings}.")
            if report.backup:
                typer.echo(f"Your previous settings are kept in {report.backup}.")
            typer.echo("Sessions started before this pick it up at their next prompt; start "
                       "`claude-carthing serve` if it is not running.")
        else:
            typer.echo(f"Already installed in {report.settings}; nothing changed.")
        typer.echo(f"Approvals from the Car Thing: {'on' if report.approvals else 'off'}.")
        return 0

    run_friendly(body)


@claude_code_app.command()
def uninstall() -> None:
    """Remove our status line and hooks (your own settings are put back)."""

    def body() -> int:
        from claude_carthing.claude_code.settings_install import uninstall

        report = uninstall()
        if report.restored:
            typer.echo(f"Restored {report.settings} as it was before the install.")
        elif report.changed:
            typer.echo(f"Removed claude-carthing's entries from {report.settings}; "
                       f"the rest is as you left it.")
        else:
            typer.echo(f"Nothing of claude-carthing's in {report.settings}.")
        return 0

    run_friendly(body)


@claude_code_app.command("status")
def show_status() -> None:
    """Show whether Claude Code is connected (exit 1 when something is missing)."""

    def body() -> int:
        from claude_carthing.claude_code.settings_install import status

        report = status()
        _show(report)
        installed = report.status_line and all(report.hooks.values())
        return ExitStatus.OK if installed and not report.problems else ExitStatus.ERROR

    run_friendly(body)


def register(app: typer.Typer) -> None:
    """Add the `claude-code` command group."""
    app.add_typer(claude_code_app, name="claude-code")
