"""What usb-setup works with: a discovered adapter, and a plan of commands as plain data."""

from __future__ import annotations

import ipaddress
import shlex
import subprocess
from dataclasses import dataclass
from typing import Literal

from claude_carthing.commands import powershell_script

Kind = Literal["rndis", "ncm"]
OS = Literal["linux", "windows", "macos"]

# RNDIS firmware (v3, v4.0): the device is 172.16.42.2 and the host must be 172.16.42.1/24.
RNDIS_HOST = "172.16.42.1"
RNDIS_DEVICE = "172.16.42.2"
RNDIS_PREFIX = 24
RNDIS_SUBNET = "172.16.42.0/24"
# NCM firmware (v4.1): the device hands the host a DHCP lease inside this range.
NCM_SUBNET = "10.42.1.0/24"
# Internet Connection Sharing re-addresses the shared adapter to this address.
ICS_ADDRESS = "192.168.137.1"
# Addresses the Car Thing's adapter may already hold: its two subnets, and the self-assigned
# range an adapter nobody configured yet gets (Windows APIPA, avahi-autoipd).
OWN_SUBNETS = (RNDIS_SUBNET, NCM_SUBNET, "169.254.0.0/16")


@dataclass(frozen=True)
class Adapter:
    """A network adapter that looks like the Car Thing's USB gadget."""

    name: str
    kind: Kind
    description: str = ""
    addresses: tuple[str, ...] = ()  # IPv4 in CIDR form, e.g. "172.16.42.1/24"
    up: bool = False
    index: int | None = None  # Windows InterfaceIndex
    managed_by_nm: bool = False  # Linux: NetworkManager manages it
    evidence: str = ""  # why we think it is the Car Thing (driver, description, name)
    # 2: the gadget's own USB ids; 1: its driver or description; 0: a driver that other
    # devices share too (USB Ethernet dongles, phones), used only when --interface names it.
    strength: int = 1

    @property
    def foreign_addresses(self) -> tuple[str, ...]:
        """Return our IPv4 addresses outside the Car Thing's subnets (another network's)."""
        nets = [ipaddress.ip_network(n) for n in OWN_SUBNETS]
        return tuple(a for a in self.addresses
                     if not any(ipaddress.ip_interface(a).ip in n for n in nets))

    def address_in(self, subnet: str) -> str | None:
        """Return our first address inside `subnet`, or None."""
        net = ipaddress.ip_network(subnet)
        for cidr in self.addresses:
            if ipaddress.ip_interface(cidr).ip in net:
                return cidr.split("/")[0]
        return None

    @property
    def host_address(self) -> str | None:
        """Return the host's address on the Car Thing link, if it has the right one."""
        if self.kind == "rndis":
            want = f"{RNDIS_HOST}/{RNDIS_PREFIX}"
            return RNDIS_HOST if want in self.addresses else None
        return self.address_in(NCM_SUBNET)

    @property
    def device_address(self) -> str | None:
        """Return the Car Thing's own address on this link, when it can be known."""
        if self.kind == "rndis":
            return RNDIS_DEVICE
        host = self.address_in(NCM_SUBNET)
        if host is None:
            return None
        # v4.1 gives each device a /29: the device is the block's .8k+2, the host +3..+6.
        last = int(host.rsplit(".", 1)[1])
        return f"{host.rsplit('.', 1)[0]}.{(last // 8) * 8 + 2}"

    @property
    def subnet(self) -> str:
        """Return the subnet the device talks to the host from."""
        return RNDIS_SUBNET if self.kind == "rndis" else NCM_SUBNET


@dataclass(frozen=True)
class Step:
    """One command of a plan, with the reason it is there."""

    argv: tuple[str, ...]
    why: str
    admin: bool = True
    may_fail: bool = False  # e.g. removing something that may not exist

    def display(self, os_name: OS) -> str:
        """Return the command as the user would type it on `os_name`.

        A PowerShell step is shown as its script: what to type at the (Administrator)
        PowerShell prompt docs/setup.md sends Windows users to.
        """
        if os_name == "windows":
            script = powershell_script(self.argv)
            return script if script is not None else subprocess.list2cmdline(list(self.argv))
        return shlex.join(self.argv)


@dataclass(frozen=True)
class Plan:
    """What usb-setup will do for one adapter: commands, then what to tell the user."""

    os: OS
    adapter: Adapter
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    problem: str | None = None  # set when nothing we can run fixes the link (with the fix)

    @property
    def needs_admin(self) -> bool:
        """Return True when any step needs elevated rights."""
        return any(step.admin for step in self.steps)
