"""Run usb-setup: find the adapter, show or run its plan, then check the link got its address."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from claude_carthing.commands import Runner, run
from claude_carthing.usb import linux, macos, windows
from claude_carthing.usb.discover import find_adapters, interface_exists
from claude_carthing.usb.elevation import rerun_hint
from claude_carthing.usb.model import OS, Adapter, Plan


class UsbExit(IntEnum):
    """Exit codes of usb-setup."""

    OK = 0
    FAILED = 1
    NO_ADAPTER = 3
    NOT_ADMIN = 4
    AMBIGUOUS = 5  # several adapters could be the Car Thing's: pick one with --interface


NOT_FOUND_HINTS: dict[str, str] = {
    "windows": "Use a data cable (charge-only cables enumerate nothing) in a port that powers "
    "the device; on Windows 10 with firmware v4.1, pick \"UsbNcm Host Device\" for the unknown "
    "device in Device Manager.",
    "macos": "macOS only networks with firmware v4.1 (NCM); v3/v4.0 (RNDIS) need a Windows or "
    "Linux PC. Use a data cable in a port that powers the device.",
    "linux": "Use a data cable (charge-only cables enumerate nothing) in a port that powers the "
    "device; `ip link` should show usb0 or enx... once it has booted.",
}


def plan_for(adapter: Adapter, os_name: OS, port: int) -> Plan:
    """Return the plan for `adapter` on `os_name`."""
    if os_name == "windows":
        return windows.plan(adapter, port)
    if os_name == "macos":
        return macos.plan(adapter)
    return linux.plan(adapter)


def _find(os_name: OS, runner: Runner, name: str | None) -> list[Adapter]:
    found = find_adapters(os_name, runner, interface=name)
    return [a for a in found if a.name == name] if name else found


def _pick_flag(name: str) -> str:
    return f'--interface "{name}"' if " " in name else f"--interface {name}"


def _candidates(adapters: list[Adapter], echo: Callable[[str], None]) -> list[Adapter]:
    """Drop adapters already on another network; keep those with the strongest evidence."""
    usable = []
    for adapter in adapters:
        if adapter.foreign_addresses:
            echo(f"[SKIP] {adapter.name} has {', '.join(adapter.foreign_addresses)}, an address "
                 "on another network: left alone. If it is the Car Thing, run again with "
                 f"{_pick_flag(adapter.name)}.")
        else:
            usable.append(adapter)
    best = max((a.strength for a in usable), default=0)
    return [a for a in usable if a.strength == best]


def _not_found(os_name: OS, runner: Runner, interface: str | None) -> str:
    if interface and interface_exists(interface, os_name, runner):
        return (f"[FAIL] Interface {interface!r} exists, but is not a Car Thing USB link "
                "(neither its driver nor its USB ids are the Car Thing's); nothing was changed. "
                "Run without --interface to look for the Car Thing's adapter.")
    what = f"interface {interface!r}" if interface else "Car Thing USB network adapter"
    return f"[FAIL] No {what} found. {NOT_FOUND_HINTS[os_name]}"


def setup(
    os_name: OS,
    port: int,
    *,
    dry_run: bool,
    admin: bool,
    echo: Callable[[str], None],
    runner: Runner = run,
    interface: str | None = None,
) -> UsbExit:
    """Set up the host side of the USB link, reporting each step through `echo`."""
    adapters = _find(os_name, runner, interface)
    if not interface:
        adapters = _candidates(adapters, echo)
    if not adapters:
        echo(_not_found(os_name, runner, interface))
        return UsbExit.NO_ADAPTER
    if len(adapters) > 1:
        echo("[FAIL] More than one adapter could be the Car Thing's; nothing was changed. "
             "Run again with --interface NAME, one of:")
        for other in adapters:
            echo(f"  {other.name} ({other.kind.upper()}, {other.evidence}): "
                 f"{_pick_flag(other.name)}")
        return UsbExit.AMBIGUOUS
    adapter = adapters[0]
    echo(f"Found {adapter.name} ({adapter.kind.upper()}, {adapter.evidence}).")
    plan = plan_for(adapter, os_name, port)
    for warning in plan.warnings:
        echo(f"[WARN] {warning}")
    if dry_run:
        echo("Would run:" if plan.steps else "Nothing to run.")
        for step in plan.steps:
            echo(f"  {step.display(os_name)}    # {step.why}")
        for note in plan.notes:
            echo(note)
        if plan.problem:
            echo(f"[WARN] {plan.problem}")
        return UsbExit.OK
    if plan.needs_admin and not admin:
        echo("[FAIL] Changing network settings needs administrator rights. "
             + rerun_hint(os_name, "usb-setup"))
        return UsbExit.NOT_ADMIN
    for step in plan.steps:
        echo(f"$ {step.display(os_name)}")
        result = runner(step.argv)
        if result.returncode != 0 and not step.may_fail:
            echo(f"[FAIL] {step.why}: exit {result.returncode}: {result.stderr.strip()}")
            return UsbExit.FAILED
    return _verify(os_name, runner, adapter.name, plan, echo)


def _verify(
    os_name: OS, runner: Runner, name: str, plan: Plan, echo: Callable[[str], None]
) -> UsbExit:
    for note in plan.notes:
        echo(note)
    again = _find(os_name, runner, name)
    if again and again[0].host_address:
        done = again[0]
        echo(f"[OK] {done.name} has {done.host_address}; the Car Thing should be at "
             f"{done.device_address}.")
        return UsbExit.OK
    echo(f"[FAIL] {name} has no address on the Car Thing's subnet yet. "
         + (plan.problem or "Re-run `claude-carthing usb-setup` and check `doctor`."))
    return UsbExit.FAILED
