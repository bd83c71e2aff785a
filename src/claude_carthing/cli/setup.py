"""Commands that set a PC up: `usb-setup`, `autostart enable|disable|status`, `doctor`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from claude_carthing import autostart, usb
from claude_carthing.cli.exit import run_friendly
from claude_carthing.cli.options import Port, typer_app
from claude_carthing.settings import load_settings


def usb_setup(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the commands only.")] = False,
    interface: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional at runtime on 3.10
        typer.Option(help="Use this adapter by name.")] = None,
    port: Port = None,
) -> None:
    """Find the Car Thing's USB network adapter and give this PC its address on that link."""

    def body() -> int:
        settings = load_settings(port=port)  # a broken config stops here, before any change
        return int(usb.setup(usb.current_os(), settings.port, dry_run=dry_run,
                             admin=usb.is_admin(), echo=typer.echo, interface=interface))

    run_friendly(body)


def _load_settings_or_stop() -> None:
    load_settings()


autostart_app = typer_app(help="Start `serve` when you log in.", no_args_is_help=True)


def _show(result: autostart.Result) -> None:
    for line in result.messages:
        typer.echo(line)
    raise typer.Exit(0 if result.ok else 1)


@autostart_app.command("enable")
def autostart_enable() -> None:
    """Start `serve` at every login (and now)."""
    # A service that would stop at a broken config at every login is not installed.
    run_friendly(_load_settings_or_stop)
    _show(autostart.enable())


@autostart_app.command("disable")
def autostart_disable() -> None:
    """Stop starting `serve` at login."""
    _show(autostart.disable())


@autostart_app.command("status")
def autostart_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Say whether autostart is installed and whether the service runs."""
    st = autostart.status()
    if as_json:
        typer.echo(json.dumps({"system": st.system, "path": str(st.path),
                               "installed": st.installed, "running": st.running}))
        return
    typer.echo(f"installed: {'yes' if st.installed else 'no'} ({st.path})")
    typer.echo(f"running:   {'yes' if st.running else 'no'}")
    if st.detail:
        typer.echo(f"service manager: {st.detail}")


def doctor(  # noqa: PLR0917 - one parameter per command-line option
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    live: Annotated[bool, typer.Option(help="Read usage from Claude once.")] = True,
    device: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional at runtime on 3.10
        typer.Option(
        help="Car Thing address (default: from the USB link).")] = None,
    ssh_port: Annotated[int, typer.Option("--ssh-port", help="The device's SSH port.")] = 22,
    identity: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional at runtime on 3.10
        typer.Option(help="SSH private key for the device.")] = None,
    server_host: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional at runtime on 3.10
        typer.Option(
        help="This PC's address as the device sees it (default: from the USB link).")] = None,
    port: Port = None,
) -> None:
    """Check every link from Claude to the Car Thing's screen; exit 1 if one fails."""
    from claude_carthing import doctor as doc

    def body() -> int:
        settings = load_settings(port=port)
        options = doc.DoctorOptions(settings, live_read=live, device_host=device,
                                    ssh_port=ssh_port, identity=identity,
                                    server_host=server_host)
        report = doc.collect(options)
        if as_json:
            typer.echo(json.dumps(report, indent=2))
        else:
            for line in doc.render(report):
                typer.echo(line)
        return 0 if report["ok"] else 1

    run_friendly(body)


def register(app: typer.Typer) -> None:
    """Add the setup commands to the main app."""
    app.command("usb-setup")(usb_setup)
    app.add_typer(autostart_app, name="autostart")
    app.command("doctor")(doctor)
