"""Find the Car Thing on the USB link: its fixed RNDIS address, or one derived from ours (NCM)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

RNDIS_DEVICE = "172.16.42.2"  # v3/v4.0
NCM_SUBNET = ipaddress.ip_network("10.42.1.0/24")  # v4.1: one /29 per device inside it
MDNS_NAME = "nocturne.local"

Probe = Callable[[str, int, float], bool]


@dataclass(frozen=True)
class Discovery:
    """What was tried and what answered."""

    found: str | None
    tried: tuple[str, ...]

    def explain(self) -> str:
        """Return advice for when nothing answered."""
        return (
            f"no Car Thing answered SSH at {', '.join(self.tried)}. Check: a data cable (not"
            " charge-only) in a port that powers the device; the host's USB network adapter has"
            " 172.16.42.1/24 (Nocturne v3/v4.0) or a 10.42.1.x lease (v4.1) -"
            " `claude-carthing usb-setup` sets it up; then pass --device ADDRESS if it still"
            " is not found."
        )


def candidates(host_addresses: Iterable[str]) -> list[str]:
    """Return device addresses to try, given the host's own IPv4 addresses (CIDR or bare)."""
    found: list[str] = []
    for text in host_addresses:
        try:
            address = ipaddress.ip_interface(text).ip
        except ValueError:
            continue
        if address in NCM_SUBNET:
            # The device is .8k+2 of its /29; the host got a lease from +3..+6 of the same /29.
            network = ipaddress.ip_network(f"{address}/29", strict=False)
            device = str(network.network_address + 2)
            if device != str(address) and device not in found:
                found.append(device)
    if RNDIS_DEVICE not in found:
        found.append(RNDIS_DEVICE)
    return found


def tcp_probe(host: str, port: int, timeout_s: float) -> bool:
    """Return True when something accepts a TCP connection at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def discover(
    host_addresses: Iterable[str], port: int = 22, probe: Probe = tcp_probe, timeout_s: float = 1.5
) -> Discovery:
    """Try each candidate address in turn; the first with an SSH port open wins."""
    tried = candidates(host_addresses)
    for address in tried:
        if probe(address, port, timeout_s):
            return Discovery(address, tuple(tried))
    return Discovery(None, tuple(tried))


def host_addresses() -> list[str]:
    """Return this machine's IPv4 addresses on USB adapters that look like a Car Thing."""
    try:
        from claude_carthing.usb.discover import find_adapters
    except ImportError:
        return []
    try:
        adapters = find_adapters()
    except Exception:  # noqa: BLE001 - discovery is a convenience; --device always works
        return []
    return [cidr for adapter in adapters for cidr in adapter.addresses]
