"""`claude-carthing deploy` / `undeploy`: put the page on a Car Thing, or take it off again."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from claude_carthing.cli.exit import run_friendly
from claude_carthing.settings import load_settings

if TYPE_CHECKING:
    from claude_carthing.device.workflow import DeviceOptions

def _address(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise typer.BadParameter("must be the device's address or host name, not empty")
    return value.strip() if value is not None else None


Device = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional at runtime on Python 3.10
    typer.Option("--device", callback=_address,
                 help="The Car Thing's address (default: find it on the USB link)."),
]
SshPort = Annotated[
    int, typer.Option("--ssh-port", min=1, max=65535, help="The device's SSH port.")]
Identity = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--identity", "-i", help="SSH private key to log in with (tried first)."),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the exact plan; change nothing.")]


def register(app: typer.Typer) -> None:
    """Add the `deploy` and `undeploy` commands."""

    @app.command()
    def deploy(  # noqa: PLR0917 - typer maps each option to a parameter
        device: Device = None,
        ssh_port: SshPort = 22,
        server: Annotated[
            Optional[str],  # noqa: UP045
            typer.Option("--server", help="URL the device uses to reach this PC's server."),
        ] = None,
        dry_run: DryRun = False,
        identity: Identity = None,
        set_clock: Annotated[
            bool, typer.Option("--set-clock", help="Set the device clock from this PC.")
        ] = False,
        install_key: Annotated[
            Optional[bool],  # noqa: UP045
            typer.Option("--install-key/--no-install-key",
                         help="Install your SSH public key after a password login."),
        ] = None,
        debug_port: Annotated[
            Optional[int],  # noqa: UP045
            typer.Option("--debug-port", hidden=True, min=1, max=65535,
                         help="The browser's remote-debugging port on the device."),
        ] = None,
        reverse_dial: Annotated[
            bool, typer.Option("--reverse-dial",
                               help="Turn the page's dial the other way (writes dial=reverse"
                                    " into the kiosk URL; deploy without it to undo).")
        ] = False,
    ) -> None:
        """Show the usage page on a Car Thing running Nocturne (v3, v4.0 or v4.1)."""

        def body() -> None:
            from claude_carthing.device.workflow import run_deploy

            run_deploy(_options(device, ssh_port, identity, dry_run, server=server,
                                set_clock=set_clock, install_key=install_key,
                                debug_port=debug_port, reverse_dial=reverse_dial), typer.echo)

        run_friendly(body)

    @app.command()
    def undeploy(
        device: Device = None,
        ssh_port: SshPort = 22,
        dry_run: DryRun = False,
        identity: Identity = None,
    ) -> None:
        """Put the Car Thing back to its stock Nocturne UI, restoring every file deploy changed."""

        def body() -> None:
            from claude_carthing.device.workflow import run_undeploy

            run_undeploy(_options(device, ssh_port, identity, dry_run), typer.echo)

        run_friendly(body)


def _options(
    device: str | None, port: int, identity: Path | None, dry_run: bool, **more: object
) -> DeviceOptions:
    from claude_carthing.device.workflow import DeviceOptions

    interactive = sys.stdin.isatty()
    options = DeviceOptions(
        device=device,
        port=port,
        identity=identity,
        dry_run=dry_run,
        server_port=load_settings().port,
        prompt=(lambda text: typer.prompt(text, hide_input=True)) if interactive else None,
        confirm=(lambda text: typer.confirm(text, default=True)) if interactive else None,
    )
    for name, value in more.items():
        setattr(options, name, value)
    return options
