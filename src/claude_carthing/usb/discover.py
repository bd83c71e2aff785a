"""Collect what each OS reports about its adapters, then hand it to that OS's parser."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from pathlib import Path

from claude_carthing.commands import Runner, run
from claude_carthing.usb import linux, macos, windows
from claude_carthing.usb.model import OS, Adapter


def current_os() -> OS:
    """Return this machine's OS in the names plans use."""
    system = platform.system()
    if system == "Windows":
        return "windows"
    if system == "Darwin":
        return "macos"
    return "linux"


def find_adapters(
    os_name: OS | None = None,
    runner: Runner = run,
    sys_root: Path = Path("/sys"),
    env: Mapping[str, str] | None = None,
    interface: str | None = None,
) -> list[Adapter]:
    """Return the adapters that look like a Car Thing, best guess first.

    Adapters whose driver other devices share too are listed only when `interface` names them.
    """
    os_name = os_name or current_os()
    if os_name == "windows":
        adapters = runner(windows.powershell(windows.ADAPTERS_SCRIPT)).stdout
        addresses = runner(windows.powershell(windows.ADDRESSES_SCRIPT)).stdout
        return windows.discover(adapters, addresses, interface)
    if os_name == "macos":
        ports = runner(["networksetup", "-listallhardwareports"]).stdout
        return macos.discover(ports, runner(["ifconfig"]).stdout)
    ip_rows = linux.parse_ip_json(runner(["ip", "-j", "-d", "addr", "show"]).stdout)
    nm = runner(["nmcli", "-t", "-f", "DEVICE,STATE", "device", "status"])
    nm_states = linux.parse_nm_devices(nm.stdout) if nm.returncode == 0 else {}
    env = os.environ if env is None else env
    return linux.discover(sys_root, ip_rows, nm_states, env, interface)


def interface_exists(name: str, os_name: OS | None = None, runner: Runner = run) -> bool:
    """Return True when this machine has a network interface called `name`, Car Thing or not."""
    os_name = os_name or current_os()
    if os_name == "windows":
        rows = windows.rows(runner(windows.powershell(windows.ADAPTERS_SCRIPT)).stdout)
        return any(str(row.get("Name") or "") == name for row in rows)
    if os_name == "macos":
        lines = runner(["ifconfig"]).stdout.splitlines()
        return any(line.startswith(f"{name}:") for line in lines)
    ip_rows = linux.parse_ip_json(runner(["ip", "-j", "-d", "addr", "show"]).stdout)
    return name in ip_rows or (not ip_rows and (Path("/sys/class/net") / name).exists())
