"""Checks of the Car Thing, over deploy's own SSH transport, generation probe and layouts."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from claude_carthing.doctor.kiosk import START, check_kiosk, check_kiosk_start
from claude_carthing.doctor.model import Check, Timer

if TYPE_CHECKING:
    from claude_carthing.device.generation import DeviceInfo
    from claude_carthing.device.transport import Transport

C = TypeVar("C", bound="Check | None")
CLOCK_WARN_S = 120  # the page draws from the PC's clock, so only a large offset matters
AFTER_LOGIN = ("generation", "kiosk page", "device reaches server", "device clock")


@dataclass(frozen=True)
class DeviceTarget:
    """Where doctor looks for the device, and the address the device uses to reach us."""

    host: str
    ssh_port: int = 22
    identity: Path | None = None
    server_host: str | None = None  # this PC as the device sees it
    server_port: int = 8080
    timeout_s: float = 4.0


def check_reachable(target: DeviceTarget) -> Check:
    """The device answers on its SSH port."""
    timer = Timer()
    try:
        with socket.create_connection((target.host, target.ssh_port), timeout=target.timeout_s):
            pass
    except OSError as exc:
        return Check("device reachable", "fail",
                     f"no answer on {target.host}:{target.ssh_port} ({exc.strerror or exc})",
                     "Check the cable and `claude-carthing usb-setup`; the device needs about "
                     "a minute to boot.", timer.ms)
    return Check("device reachable", "ok", f"{target.host}:{target.ssh_port} answers", None,
                 timer.ms)


def _login_fix(exc: Exception) -> str:
    from claude_carthing.device import ssh

    if isinstance(exc, ssh.HostKeyChangedError):
        return ("If you reflashed the Car Thing, delete its line in "
                f"{ssh.Target('').known_hosts} and run doctor again.")
    if isinstance(exc, ssh.AuthFailedError):
        return ("Pass --identity KEYFILE (the key you deploy with); the stock Nocturne "
                "passwords were refused.")
    return "Wait until the device has finished booting, then run doctor again."


def _login(target: DeviceTarget) -> tuple[Check, Transport | None]:
    from claude_carthing.device import ssh
    from claude_carthing.device.transport import DeviceError

    timer = Timer()
    try:
        transport = ssh.connect(ssh.Target(host=target.host, port=target.ssh_port,
                                           identity=target.identity, timeout_s=target.timeout_s))
    except DeviceError as exc:
        return Check("SSH login", "fail", str(exc), _login_fix(exc), timer.ms), None
    how = "a stock Nocturne password" if transport.used_password else "an SSH key"
    return Check("SSH login", "ok", f"root@{target.host}:{target.ssh_port} with {how}", None,
                 timer.ms, {"login": "password" if transport.used_password else "key"}), transport


def device_checks(target: DeviceTarget) -> list[Check]:
    """SSH login, generation, kiosk URL, the device reaching the server, and its clock."""
    try:
        from claude_carthing.device import generation
        from claude_carthing.device.transport import DeviceError
    except ImportError as exc:  # paramiko missing: the versions check names it
        return [Check("SSH login", "skip", f"not checked: {exc}"),
                *(Check(n, "skip", "not checked: no SSH") for n in AFTER_LOGIN)]
    login, transport = _login(target)
    if transport is None:
        return [login, *(Check(n, "skip", "not checked: no SSH login") for n in AFTER_LOGIN)]
    checks = [login]
    try:
        timer = Timer()
        try:
            info = generation.detect(transport)
        except DeviceError as exc:
            checks.append(Check("generation", "fail", str(exc),
                                "This needs Nocturne v3, v4.0 or v4.1 on the Car Thing.", timer.ms))
            return checks + [Check(n, "skip", "not checked: unknown generation")
                             for n in AFTER_LOGIN[1:]]
        checks.append(Check("generation", "ok", info.describe(), None, timer.ms,
                            {"generation": info.generation.value, "firmware": info.firmware}))
        server = server_url(transport, info, target)
        checks.append(_guarded("kiosk page", lambda: check_kiosk(transport, info, server)))
        start = _guarded(START, lambda: check_kiosk_start(transport, info))
        if start is not None:
            checks.append(start)
        checks.append(_guarded("device reaches server", lambda: _reach_check(transport, server)))
        checks.append(_guarded("device clock", lambda: _clock_check(transport)))
    finally:
        transport.close()
    return checks


def _guarded(name: str, check: Callable[[], C]) -> C | Check:
    """Run one device check; a lost connection fails that check, not the whole report."""
    from claude_carthing.device.transport import DeviceError

    timer = Timer()
    try:
        return check()
    except DeviceError as exc:
        return Check(name, "fail", str(exc), "Run doctor again; check the cable if it repeats.",
                     timer.ms)
    except Exception as exc:  # noqa: BLE001 - doctor reports, it never crashes mid-report
        return Check(name, "fail", f"{exc.__class__.__name__}: {exc}",
                     "Run doctor again; check the cable if it repeats.", timer.ms)


def server_url(transport: Transport, info: DeviceInfo, target: DeviceTarget) -> str | None:
    """Return the server URL deploy would give the page: from --server-host, else as deploy."""
    from claude_carthing.device import reach
    from claude_carthing.device.transport import DeviceError

    if target.server_host:
        host = target.server_host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 literal
        return f"http://{host}:{target.server_port}"
    try:
        return reach.derive_server_url(transport, info.generation, target.server_port)
    except DeviceError:
        return None


def _reach_check(transport: Transport, server: str | None) -> Check:
    from claude_carthing.device import reach

    timer = Timer()
    if server is None:
        return Check("device reaches server", "skip",
                     "not checked: this PC's address on the USB link is unknown")
    # Deploy's own probe: BusyBox wget (or curl) on the device, with a watchdog.
    problem = reach.check_from_device(transport, server)
    data = {"url": f"{server}/health"}
    if problem is None:
        return Check("device reaches server", "ok", f"the device fetched {server}/health", None,
                     timer.ms, data)
    if problem.startswith("something answered"):
        return Check("device reaches server", "fail", problem,
                     "Stop the other program on that port, or serve on another (`serve --port`).",
                     timer.ms, data)
    return Check("device reaches server", "fail", f"the device cannot fetch {server}/health",
                 "Start `claude-carthing serve --host 0.0.0.0` (all addresses, not only "
                 "127.0.0.1) and allow its port through the PC's firewall "
                 "(`claude-carthing usb-setup` on Windows).", timer.ms, data)


def _clock_check(transport: Transport) -> Check:
    timer = Timer()
    before = time.time()
    result = transport.run("date +%s")
    after = time.time()
    try:
        device_now = int(result.out.decode().strip())
    except ValueError:
        return Check("device clock", "warn", "could not read the device clock", None, timer.ms)
    offset = round(device_now - (before + after) / 2)
    data = {"offset_s": offset}
    if abs(offset) > CLOCK_WARN_S:
        return Check("device clock", "warn", f"off by {offset:+d} s (the page uses the PC's "
                     "clock, so countdowns stay right)", "Nothing needed; `claude-carthing "
                     "deploy --set-clock` sets it from this PC.", timer.ms, data)
    return Check("device clock", "ok", f"within {abs(offset)} s of this PC", None, timer.ms, data)
