"""`doctor`: check each link from Claude to the Car Thing's screen, as data first."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claude_carthing import __version__, accounts
from claude_carthing.doctor import host
from claude_carthing.doctor.device import DeviceTarget, check_reachable, device_checks
from claude_carthing.doctor.model import Check, redact, timed
from claude_carthing.doctor.per_account import claude_code_checks, source_checks
from claude_carthing.settings import Settings, SettingsError
from claude_carthing.usb import Adapter


@dataclass
class DoctorOptions:
    """What doctor checks and where it looks."""

    settings: Settings
    live_read: bool = True
    device_host: str | None = None  # default: the address the USB link implies
    ssh_port: int = 22
    identity: Path | None = None
    server_host: str | None = None  # default: this PC's address on the USB link
    adapters: list[Adapter] | None = field(default=None)  # tests inject; None = discover
    config_problems: list[SettingsError] = field(default_factory=list)  # lines left out
    show_secrets: bool = False  # the hook's arguments, in the config check's data


def _run(check: Callable[[], Check]) -> Check:
    holder = Check("", "skip", "")
    with timed(holder):
        result = check()
    if not result.ms:
        result.ms = holder.ms
    return result


def collect(options: DoctorOptions) -> dict[str, Any]:
    """Run every check in chain order; return a redacted, JSON-ready report."""
    started = time.time()
    everyone = accounts.load()
    checks = [_run(host.check_versions), _run(host.check_home),
              _run(lambda: host.check_config(options.settings, options.config_problems,
                                             options.show_secrets))]
    # Each account's source: its credentials and a live read (named after it when several).
    checks += source_checks(options.settings, options.live_read, everyone, _run)
    usb_check, adapter = host.check_usb(options.adapters)
    server_host = options.server_host or (adapter.host_address if adapter else None)
    checks.append(_run(lambda: host.check_server(options.settings.port, server_host)))
    checks += claude_code_checks(everyone, _run)
    checks.append(usb_check)
    device_host = options.device_host or (adapter.device_address if adapter else None)
    checks.extend(_device(options, device_host, server_host))
    found: dict[str, Any] = {
        "version": __version__,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "ok": all(c.status != "fail" for c in checks),
    }
    if len(everyone) > 1:
        found["accounts"] = [a.name for a in everyone]
    report: dict[str, Any] = redact({**found, "checks": [c.as_dict() for c in checks]})
    return report


def _device(options: DoctorOptions, device_host: str | None, server_host: str | None
            ) -> list[Check]:
    names = ("device reachable", "SSH login", "generation", "kiosk page",
             "device reaches server", "device clock")
    if not device_host:
        return [Check(n, "skip", "not checked: no device") for n in names]
    target = DeviceTarget(device_host, options.ssh_port, options.identity, server_host,
                          options.settings.port)
    reach = check_reachable(target)
    if reach.status != "ok":
        return [reach, *(Check(n, "skip", "not checked: device unreachable") for n in names[1:])]
    return [reach, *device_checks(target)]


LABELS = {"ok": "[OK]  ", "warn": "[WARN]", "fail": "[FAIL]", "skip": "[SKIP]"}


def render(report: dict[str, Any]) -> list[str]:
    """Return one line per check (plus an indented fix line under each problem)."""
    lines = []
    for c in report["checks"]:
        lines.append(f"{LABELS[c['status']]} {c['name']}: {c['summary']}  ({c['ms']:.0f} ms)")
        if c["fix"] and c["status"] in ("fail", "warn"):
            lines.append(f"       fix: {c['fix']}")
    failed = sum(c["status"] == "fail" for c in report["checks"])
    lines.append("All checks passed." if not failed else f"{failed} check(s) failed.")
    return lines


__all__ = ["Check", "DeviceTarget", "DoctorOptions", "collect", "render"]
