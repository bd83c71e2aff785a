"""macOS: find the gadget from `networksetup`/`ifconfig`; NCM works natively, RNDIS does not."""

from __future__ import annotations

import ipaddress
import re

from claude_carthing.usb.model import NCM_SUBNET, RNDIS_SUBNET, Adapter, Kind, Plan, Step

# Hardware port names that may be the gadget (macOS names NCM gadgets after their USB product).
PORT_HINTS = ("car thing", "superbird", "nocturne", "ncm", "rndis", "gadget")


def parse_hardware_ports(text: str) -> dict[str, str]:
    """Parse `networksetup -listallhardwareports` into {device: hardware port name}."""
    ports: dict[str, str] = {}
    port = ""
    for line in text.splitlines():
        if line.startswith("Hardware Port:"):
            port = line.split(":", 1)[1].strip()
        elif line.startswith("Device:") and port:
            ports[line.split(":", 1)[1].strip()] = port
    return ports


def parse_ifconfig(text: str) -> dict[str, tuple[list[str], bool]]:
    """Parse `ifconfig` into {interface: ([ipv4 CIDR...], is_up)}."""
    result: dict[str, tuple[list[str], bool]] = {}
    current = ""
    for line in text.splitlines():
        head = re.match(r"^([a-z0-9]+): flags=\w+<([^>]*)>", line)
        if head:
            current = head.group(1)
            result[current] = ([], "UP" in head.group(2).split(","))
            continue
        m = re.match(r"^\s+inet (\d+\.\d+\.\d+\.\d+) netmask (0x[0-9a-f]+)", line)
        if m and current:
            prefix = bin(int(m.group(2), 16)).count("1")
            result[current][0].append(f"{m.group(1)}/{prefix}")
    return result


def discover(hardware_ports: str, ifconfig: str) -> list[Adapter]:
    """Return interfaces that hold a Car Thing address or carry a gadget-like port name."""
    ports = parse_hardware_ports(hardware_ports)
    found = []
    for name, (addrs, up) in parse_ifconfig(ifconfig).items():
        port = ports.get(name, "")
        ips = [ipaddress.ip_interface(a).ip for a in addrs]
        kind: Kind | None = None
        if any(ip in ipaddress.ip_network(NCM_SUBNET) for ip in ips):
            kind, evidence = "ncm", "address in 10.42.1.0/24"
        elif any(ip in ipaddress.ip_network(RNDIS_SUBNET) for ip in ips):
            kind, evidence = "rndis", "address in 172.16.42.0/24"
        elif any(h in port.lower() for h in PORT_HINTS):
            kind, evidence = ("rndis" if "rndis" in port.lower() else "ncm"), f"port {port!r}"
        if kind:
            found.append(Adapter(name=name, kind=kind, description=port, addresses=tuple(addrs),
                                 up=up, evidence=evidence))
    return found


def plan(adapter: Adapter) -> Plan:
    """Return what to do on macOS: nothing for a leased NCM link, a DHCP renew otherwise."""
    if adapter.kind == "rndis":
        return Plan("macos", adapter, problem=(
            "macOS has no RNDIS driver, so v3/v4.0 firmware cannot network over USB here. "
            "Update the Car Thing to Nocturne v4.1 (NCM) or use a Windows/Linux PC."))
    if adapter.host_address:
        lease = f"DHCP lease {adapter.host_address} on {adapter.name}."
        return Plan("macos", adapter, notes=(lease,))
    return Plan("macos", adapter, steps=(
        Step(("ipconfig", "set", adapter.name, "DHCP"), "ask the Car Thing for a DHCP lease"),))
