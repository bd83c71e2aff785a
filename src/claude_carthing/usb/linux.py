"""Linux: find the gadget in /sys (driver, USB ids, name) and plan `nmcli` or `ip` commands."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from claude_carthing.usb.model import RNDIS_HOST, RNDIS_PREFIX, Adapter, Kind, Plan, Step

DRIVER_KINDS: dict[str, Kind] = {"rndis_host": "rndis", "cdc_ncm": "ncm"}
# Some hosts bind a v3/v4.0 composite gadget's CDC-ECM function (same addressing), but USB
# Ethernet dongles and phones use cdc_ether too: only the gadget's USB ids or --interface count.
FALLBACK_DRIVERS: dict[str, Kind] = {"cdc_ether": "rndis"}
# Linux gadget framework defaults (Netchip RNDIS/Ethernet gadget, multifunction composite).
GADGET_USB_IDS = {("0525", "a4a2"), ("1d6b", "0104")}
NAME_RE = re.compile(r"^(usb\d+|enx[0-9a-f]{12})$")
# Tests stand a veth pair in for the gadget inside their own network namespace; only then
# does discovery accept a veth named like a gadget (value: "rndis" or "ncm").
VETH_OVERRIDE_ENV = "CLAUDE_CARTHING_USB_TEST_VETH"
NM_CONNECTION = "claude-carthing-usb"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _driver(sys_root: Path, ifname: str) -> str:
    link = sys_root / "class" / "net" / ifname / "device" / "driver"
    try:
        return link.readlink().name
    except OSError:
        return ""


def _usb_ids(sys_root: Path, ifname: str) -> tuple[str, str]:
    # device/ is the USB interface (1-1:1.0); its parent holds the device's ids.
    parent = sys_root / "class" / "net" / ifname / "device" / ".."
    return _read(parent / "idVendor"), _read(parent / "idProduct")


def parse_ip_json(text: str) -> dict[str, dict[str, Any]]:
    """Index `ip -j -d addr show` output by interface name."""
    try:
        rows = json.loads(text or "[]")
    except json.JSONDecodeError:
        return {}
    return {row["ifname"]: row for row in rows if isinstance(row, dict) and "ifname" in row}


def parse_nm_devices(text: str) -> dict[str, str]:
    """Parse `nmcli -t -f DEVICE,STATE device status` into {device: state}."""
    states: dict[str, str] = {}
    for line in text.splitlines():
        dev, _, state = line.partition(":")
        if dev:
            states[dev] = state
    return states


def _identify(sys_root: Path, name: str, interface: str | None) -> tuple[Kind | None, str, int]:
    """Return (kind, evidence, strength) for one interface from its driver and USB ids."""
    driver = _driver(sys_root, name)
    ids = _usb_ids(sys_root, name)
    if ids in GADGET_USB_IDS:
        kind = DRIVER_KINDS.get(driver) or FALLBACK_DRIVERS.get(driver) or "rndis"
        return kind, f"USB id {ids[0]}:{ids[1]}" + (f", driver {driver}" if driver else ""), 2
    if driver in DRIVER_KINDS:
        return DRIVER_KINDS[driver], f"driver {driver}", 1
    if driver in FALLBACK_DRIVERS and name == interface:
        return FALLBACK_DRIVERS[driver], f"driver {driver}, named by --interface", 0
    return None, "", 0


def discover(
    sys_root: Path,
    ip_rows: Mapping[str, Mapping[str, Any]],
    nm_states: Mapping[str, str],
    env: Mapping[str, str],
    interface: str | None = None,
) -> list[Adapter]:
    """Return the interfaces that look like the Car Thing's gadget, best guess first.

    A cdc_ether interface without the gadget's USB ids is listed only when `interface` names it.
    """
    net = sys_root / "class" / "net"
    names = sorted(p.name for p in net.iterdir()) if net.is_dir() else sorted(ip_rows)
    veth_kind = env.get(VETH_OVERRIDE_ENV, "")
    found: list[Adapter] = []
    for name in names:
        driver = _driver(sys_root, name)
        row = ip_rows.get(name, {})
        kind, evidence, strength = _identify(sys_root, name, interface)
        info_kind = row.get("linkinfo", {}).get("info_kind", "")
        fake = veth_kind in ("rndis", "ncm") and info_kind == "veth" and NAME_RE.match(name)
        if kind is None and fake:
            kind = "ncm" if veth_kind == "ncm" else "rndis"
            evidence, strength = f"veth accepted by {VETH_OVERRIDE_ENV}", 1
        if kind is None:
            continue
        addrs = tuple(
            f"{a['local']}/{a['prefixlen']}"
            for a in row.get("addr_info", [])
            if a.get("family") == "inet"
        )
        state = nm_states.get(name, "unmanaged")
        found.append(
            Adapter(
                name=name,
                kind=kind,
                description=driver or info_kind,
                addresses=addrs,
                up="UP" in row.get("flags", []),
                managed_by_nm=state not in ("", "unmanaged", "unavailable"),
                evidence=evidence,
                strength=strength,
            )
        )
    # Strongest evidence first; an adapter on another network (a dongle, a phone) last.
    found.sort(key=lambda a: (-a.strength, bool(a.foreign_addresses),
                              NAME_RE.match(a.name) is None, a.name))
    return found


def plan(adapter: Adapter) -> Plan:
    """Return the commands that give this Linux host a working link to the Car Thing."""
    dev = adapter.name
    if adapter.kind == "ncm":
        if adapter.host_address:
            return Plan("linux", adapter, notes=(f"DHCP lease {adapter.host_address} on {dev}.",))
        if adapter.managed_by_nm:
            connect = Step(("nmcli", "device", "connect", dev), "ask NetworkManager for a lease",
                           admin=False)
            return Plan("linux", adapter, steps=(connect,))
        return Plan(
            "linux",
            adapter,
            steps=(Step(("ip", "link", "set", "dev", dev, "up"), "bring the link up"),),
            problem=f"No DHCP lease on {dev}: run your DHCP client on it "
            f"(e.g. `sudo dhclient {dev}` or `sudo networkctl reconfigure {dev}`).",
        )
    cidr = f"{RNDIS_HOST}/{RNDIS_PREFIX}"
    if cidr in adapter.addresses:
        return Plan("linux", adapter, notes=(f"{dev} already has {cidr}.",))
    if adapter.managed_by_nm:
        # A NetworkManager profile survives re-plugging; never-default keeps internet elsewhere.
        nm_steps = (
            Step(("nmcli", "connection", "delete", NM_CONNECTION),
                 "drop an older profile of ours, if any", admin=False, may_fail=True),
            Step(("nmcli", "connection", "add", "type", "ethernet", "ifname", dev,
                  "con-name", NM_CONNECTION, "ipv4.method", "manual", "ipv4.addresses", cidr,
                  "ipv4.never-default", "yes", "ipv6.method", "ignore"),
                 f"a NetworkManager profile giving {dev} {cidr}", admin=False),
            Step(("nmcli", "connection", "up", NM_CONNECTION), "activate it", admin=False),
        )
        return Plan("linux", adapter, steps=nm_steps)
    ip_steps = (
        Step(("ip", "link", "set", "dev", dev, "up"), "bring the link up"),
        Step(("ip", "addr", "add", cidr, "dev", dev), f"give the host {cidr}"),
    )
    note = ("This address lasts until the cable is unplugged; re-run usb-setup after "
            "re-plugging, or let NetworkManager manage the interface.")
    return Plan("linux", adapter, steps=ip_steps, notes=(note,))
