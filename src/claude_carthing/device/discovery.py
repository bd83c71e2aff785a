"""Find the Car Thing on the USB link: its fixed RNDIS address, or one derived from ours (NCM)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

RNDIS_DEVICE = "172.16.42.2"  # v3/v4.0
NCM_SUBNET = ipaddress.ip_network("10.42.1.0/24")  # v4.1: one /29 per device inside it
RNDIS_SUBNET = ipaddress.ip_network("172.16.42.0/24")
MDNS_NAME = "nocturne.local"
NO_LINK = "No Car Thing on a USB link: plug it in, or run `claude-carthing usb-setup`"

Probe = Callable[[str, int, float], bool]


@dataclass(frozen=True)
class Discovery:
    """What was tried and what answered."""

    found: str | None
    tried: tuple[str, ...]

    def explain(self) -> str:
        """Return advice for when nothing answered."""
        if not self.tried:
            return NO_LINK
        return (
            f"no Car Thing answered SSH at {', '.join(self.tried)}. Check: a data cable (not"
            " charge-only) in a port that powers the device, and that it has finished booting"
            " (about a minute); then pass --device ADDRESS (and --ssh-port PORT) if it still"
            " is not found."
        )


def candidates(host_addresses: Iterable[str]) -> list[str]:
    """Return device addresses to try, given this PC's IPv4 addresses on its USB adapters.

    Only the link this PC really has: a device address is never guessed, because on a LAN
    where 172.16.42.2 is some other host, deploy would try root logins with stock passwords.
    """
    found: list[str] = []
    for text in host_addresses:
        try:
            address = ipaddress.ip_interface(text).ip
        except ValueError:
            continue
        device = None
        if address in NCM_SUBNET:
            # The device is .8k+2 of its /29; the host got a lease from +3..+6 of the same /29.
            network = ipaddress.ip_network(f"{address}/29", strict=False)
            device = str(network.network_address + 2)
        elif address in RNDIS_SUBNET:
            device = RNDIS_DEVICE
        if device is not None and device != str(address) and device not in found:
            found.append(device)
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
