"""Checks of the Car Thing, over the deploy helper's SSH transport."""

from __future__ import annotations

import shlex
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claude_carthing.doctor.model import Check, Timer

if TYPE_CHECKING:
    from claude_carthing.device.transport import Transport

CLOCK_WARN_S = 120  # the page draws from the PC's clock, so only a large offset matters


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


def _kiosk_url(transport: Transport, generation: str) -> str | None:
    from claude_carthing.device import kiosk

    def text(path: str) -> str | None:
        raw = transport.read(path)
        return raw.decode("utf-8", "replace") if raw is not None else None

    if generation == "v3":
        return kiosk.app_flag(text("/etc/sv/chromium/run") or "")
    if generation == "v4.0":
        return kiosk.supervisord_url(text("/etc/supervisord.conf") or "")
    return kiosk.kiosk_env_url(text("/opt/nocturne/kiosk-env"))


def _is_ours(url: str | None, target: DeviceTarget) -> bool:
    if not url:
        return False
    return "claude-carthing" in url or (f":{target.server_port}" in url and bool(
        target.server_host and target.server_host in url))


def device_checks(target: DeviceTarget) -> list[Check]:
    """SSH login, generation, kiosk URL, the device reaching the server, and its clock."""
    try:
        from claude_carthing.device import generation, ssh
        from claude_carthing.device.transport import DeviceError
    except ImportError:
        return [Check("SSH login", "skip", "not checked: the device tools are not installed")]
    checks: list[Check] = []
    timer = Timer()
    try:
        transport = ssh.connect(ssh.Target(host=target.host, port=target.ssh_port,
                                           identity=target.identity, timeout_s=target.timeout_s))
    except DeviceError as exc:
        checks.append(Check("SSH login", "fail", str(exc),
                            "Run `claude-carthing deploy` once; it sets up key login.", timer.ms))
        return checks
    try:
        checks.append(Check("SSH login", "ok", f"root@{target.host}", None, timer.ms,
                            {"used_password": transport.used_password}))
        timer = Timer()
        try:
            info = generation.detect(transport)
        except DeviceError as exc:
            checks.append(Check("generation", "fail", str(exc),
                                "This needs Nocturne v3, v4.0 or v4.1 on the Car Thing.", timer.ms))
            return checks
        checks.append(Check("generation", "ok", info.describe(), None, timer.ms,
                            {"generation": info.generation.value, "firmware": info.firmware}))
        checks.append(_kiosk_check(transport, info.generation.value, target))
        checks.append(_reach_check(transport, target))
        checks.append(_clock_check(transport))
    finally:
        transport.close()
    return checks


def _kiosk_check(transport: Transport, gen: str, target: DeviceTarget) -> Check:
    timer = Timer()
    url = _kiosk_url(transport, gen)
    if _is_ours(url, target):
        return Check("kiosk page", "ok", f"kiosk opens {url}", None, timer.ms, {"url": url})
    return Check("kiosk page", "fail", f"kiosk opens {url or 'nothing we can read'}",
                 "Run `claude-carthing deploy` to point the kiosk at our page.", timer.ms,
                 {"url": url})


def _reach_check(transport: Transport, target: DeviceTarget) -> Check:
    timer = Timer()
    if not target.server_host:
        return Check("device reaches server", "skip",
                     "not checked: this PC has no address on the USB link")
    url = f"http://{target.server_host}:{target.server_port}/health"
    q = shlex.quote(url)
    # BusyBox wget is on every generation; curl only on some.
    cmd = f"wget -q -T 5 -O - {q} 2>/dev/null || curl -fsS -m 5 {q}"
    result = transport.run(cmd)
    if result.code == 0 and b'"status"' in result.out:
        return Check("device reaches server", "ok", f"the device fetched {url}", None, timer.ms)
    return Check("device reaches server", "fail", f"the device cannot fetch {url}",
                 "Allow the port through the PC's firewall (`claude-carthing usb-setup` on "
                 "Windows) and bind all interfaces (`serve --host 0.0.0.0`).", timer.ms)


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
                     "clock, so countdowns stay right)", "Nothing needed; the phone app or NTP "
                     "sets it.", timer.ms, data)
    return Check("device clock", "ok", f"within {abs(offset)} s of this PC", None, timer.ms, data)
