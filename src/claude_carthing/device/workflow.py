"""The deploy and undeploy commands as plain functions over the transport (the CLI is a shell)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from claude_carthing.device import clock, devtools, discovery, keys, reach
from claude_carthing.device.deploy import apply, undeploy
from claude_carthing.device.generation import DeviceInfo, detect
from claude_carthing.device.hostzone import HostZone, host_zone
from claude_carthing.device.page import page_files
from claude_carthing.device.plan import build_plan
from claude_carthing.device.ssh import SSHTransport, Target, connect
from claude_carthing.device.transport import DeviceError

Echo = Callable[[str], None]


@dataclass
class DeviceOptions:
    """Everything the deploy/undeploy commands were told."""

    device: str | None = None
    port: int = 22
    server: str | None = None
    server_port: int = 8080
    dry_run: bool = False
    identity: Path | None = None
    look_for_keys: bool = True
    set_clock: bool = False
    debug_port: int | None = None  # the browser's debug port on the device; None: the layout's
    reverse_dial: bool = False  # the page turns its dial the other way (`dial=reverse`)
    install_key: bool | None = None  # None: ask when a prompt is available
    prompt: Callable[[str], str] | None = None
    confirm: Callable[[str], bool] | None = None
    host_addresses: Callable[[], list[str]] = field(default=discovery.host_addresses)
    probe: discovery.Probe = field(default=discovery.tcp_probe)


def open_device(opts: DeviceOptions, echo: Echo) -> tuple[SSHTransport, DeviceInfo]:
    """Find the device, log in and detect its generation."""
    host = opts.device
    if host is None:
        found = discovery.discover(opts.host_addresses(), opts.port, opts.probe)
        if found.found is None:
            raise discovery_error(found)
        host = found.found
        echo(f"Found a device at {host}.")
    target = Target(host, opts.port, identity=opts.identity, look_for_keys=opts.look_for_keys,
                    prompt=opts.prompt)
    transport = connect(target)
    try:
        info = detect(transport)
    except BaseException:
        transport.close()
        raise
    echo(f"Connected to {host}: {info.describe()}.")
    return transport, info


def approvals_key() -> str:
    """Return the approvals secret (made on first use), which deploy writes into the kiosk URL."""
    from claude_carthing import paths
    from claude_carthing.serving.approvals import SECRET_FILE, load_secret

    return load_secret(paths.home_dir() / SECRET_FILE)


def discovery_error(found: discovery.Discovery) -> DeviceError:
    """Turn a failed discovery into the error users see."""
    from claude_carthing.device.ssh import UnreachableError

    return UnreachableError(found.explain())


def run_deploy(opts: DeviceOptions, echo: Echo) -> bool:
    """Deploy (or print the plan); return True when something on the device changed."""
    transport, info = open_device(opts, echo)
    try:
        server = (reach.check_server_url(opts.server) if opts.server
                  else reach.derive_server_url(transport, info.generation, opts.server_port))
        warning = reach.check_from_device(transport, server)
        if warning:
            echo(f"warning: {warning}")
        else:
            echo(f"The device reaches the server at {server}.")
        zone = host_zone() if opts.set_clock else None
        plan = build_plan(transport, info, server, page_files(), zone,
                          reverse_dial=opts.reverse_dial, key=approvals_key())
        if opts.dry_run:
            echo("Dry run: this is the plan; nothing was changed.")
            extra = clock.clock_commands(info.generation) if zone else []
            extra += clock.zone_commands(info.generation, zone) if zone else []
            for line in plan.describe() + [f"run: {c}" for c in extra]:
                echo(f"  {line}")
            return False
        changed = apply(transport, plan, lambda line: echo(f"  {line}"))
        echo("Deployed: the Car Thing now shows the page." if changed
             else "Nothing to change: the device already shows this page.")
        _check_page(transport, plan.layout.debug_port if opts.debug_port is None
                    else opts.debug_port, plan.kiosk_url, echo)
        _check_start(transport, info, echo)
        if zone is not None:
            _set_clock(transport, info, zone, echo)
        _offer_key(transport, opts, echo)
        return changed
    finally:
        transport.close()


def _check_page(transport: SSHTransport, port: int | None, url: str, echo: Echo) -> None:
    confirmed, line = devtools.confirm_page(transport, port, url)
    echo(line[0].upper() + line[1:] if confirmed else f"warning: {line}")


def _check_start(transport: SSHTransport, info: DeviceInfo, echo: Echo) -> None:
    """Warn when v4.0.7's launcher is still waiting for nocturned (doctor's own check)."""
    from claude_carthing.doctor.kiosk import check_kiosk_start

    start = check_kiosk_start(transport, info)
    if start is not None and start.status == "fail":
        echo(f"warning: {start.summary}. {start.fix}")


def _set_clock(transport: SSHTransport, info: DeviceInfo, zone: HostZone, echo: Echo) -> None:
    problems = clock.set_clock(transport, info.generation, zone, lambda line: echo(f"  {line}"))
    for problem in problems:
        echo(f"warning: {problem}")
    echo(f"Set the device clock to this PC's time (UTC) and its timezone to {zone.describe()}."
         if not problems else "Set the device clock to this PC's time (UTC).")


def run_undeploy(opts: DeviceOptions, echo: Echo) -> list[str]:
    """Undo a deploy; return warnings about files left alone."""
    transport, _info = open_device(opts, echo)
    try:
        if opts.dry_run:
            raw = transport.read("/var/lib/claude-carthing/manifest.json")
            echo("Dry run: undeploy would restore these files from their backups:" if raw
                 else "Dry run: nothing is deployed on this device.")
            if raw:
                from claude_carthing.device.manifest import Manifest

                manifest = Manifest.from_bytes(raw)
                for entry in manifest.files:
                    echo(f"  restore {entry.path} <- {entry.backup or '(delete: new file)'}")
                echo(f"  rm -rf {manifest.page_dir} /var/lib/claude-carthing")
            return []
        warnings = undeploy(transport, lambda line: echo(f"  {line}"))
        for warning in warnings:
            echo(f"warning: {warning}")
        echo("Undeployed: the Car Thing is back to its stock Nocturne UI.")
        key = _public_key(opts.identity)
        if key is not None and keys.has_key(transport, key):
            echo(f"Your SSH key stays in {keys.authorized_keys_path(transport)} on the device"
                 " (delete its line there to log in with the password again).")
        return warnings
    finally:
        transport.close()


def _offer_key(transport: SSHTransport, opts: DeviceOptions, echo: Echo) -> None:
    if not transport.used_password or opts.install_key is False:
        return
    key = _public_key(opts.identity)
    if key is None:
        return
    wanted: bool | None = opts.install_key
    if wanted is None:
        if opts.confirm is None:
            echo("Tip: pass --install-key to log in with your SSH key next time.")
            return
        wanted = opts.confirm("Install your SSH public key on the device (no password next time)?")
    if not wanted:
        return
    try:
        added = keys.install_public_key(transport, key, lambda line: echo(f"  {line}"))
    except DeviceError as exc:
        echo(f"warning: could not install your SSH public key: {exc}")
        return
    where = keys.authorized_keys_path(transport)
    echo(f"Installed your SSH public key in {where}: the next runs need no password."
         if added else f"Your SSH public key is already in {where}.")


def _public_key(identity: Path | None) -> str | None:
    options = [identity.with_name(identity.name + ".pub")] if identity else []
    ssh = Path.home() / ".ssh"
    options += [ssh / "id_ed25519.pub", ssh / "id_ecdsa.pub", ssh / "id_rsa.pub"]
    for path in options:
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    return None
