"""Windows: find the gadget with `Get-NetAdapter` and plan PowerShell commands."""

from __future__ import annotations

import json
from typing import Any

from claude_carthing.commands import powershell
from claude_carthing.usb.model import (
    ICS_ADDRESS,
    RNDIS_HOST,
    RNDIS_PREFIX,
    Adapter,
    Kind,
    Plan,
    Step,
)

# The Car Thing's InterfaceDescriptions, lower case (Windows may append " #2"). Not any
# "rndis": Android USB tethering is "Remote NDIS based Internet Sharing Device".
RNDIS_NAMES = ("remote ndis compatible device", "usb ethernet/rndis gadget")
NCM_NAMES = ("usbncm host device",)
# Other RNDIS/NCM adapters (phones, dongles) are used only when --interface names them.
GENERIC_NAMES = ("ndis", "ncm")
FIREWALL_RULE = "claude-carthing (Car Thing USB)"
__all__ = ["ADAPTERS_SCRIPT", "ADDRESSES_SCRIPT", "discover", "plan", "powershell"]
ADAPTERS_SCRIPT = (
    "Get-NetAdapter | Select-Object Name,InterfaceDescription,InterfaceIndex,Status "
    "| ConvertTo-Json"
)
ADDRESSES_SCRIPT = (
    "Get-NetIPAddress -AddressFamily IPv4 | Select-Object InterfaceIndex,IPAddress,PrefixLength "
    "| ConvertTo-Json"
)


def rows(text: str) -> list[dict[str, Any]]:
    """Return the rows of PowerShell JSON (one object or a list of them)."""
    # ConvertTo-Json gives an object, not a list, when there is exactly one row.
    try:
        data = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    items = data if isinstance(data, list) else [data]
    return [r for r in items if isinstance(r, dict)]


def _kind(description: str) -> tuple[Kind | None, int]:
    """Return (kind, strength): 1 for the Car Thing's own descriptions, 0 for other RNDIS/NCM."""
    low = description.lower()
    if any(n in low for n in NCM_NAMES):
        return "ncm", 1
    if any(n in low for n in RNDIS_NAMES):
        return "rndis", 1
    if any(n in low for n in GENERIC_NAMES):
        return ("ncm" if "ncm" in low else "rndis"), 0
    return None, 0


def discover(
    adapters_json: str, addresses_json: str, interface: str | None = None
) -> list[Adapter]:
    """Return the adapters the Car Thing shows up as, from PowerShell JSON.

    Another RNDIS/NCM adapter (e.g. a phone's tethering) is listed only when `interface` names it.
    """
    by_index: dict[int, list[str]] = {}
    for row in rows(addresses_json):
        idx = row.get("InterfaceIndex")
        if isinstance(idx, int):
            by_index.setdefault(idx, []).append(f"{row['IPAddress']}/{row['PrefixLength']}")
    found = []
    for row in rows(adapters_json):
        desc = str(row.get("InterfaceDescription") or "")
        name = str(row.get("Name") or "")
        kind, strength = _kind(desc)
        if kind is None or (strength == 0 and name != interface):
            continue
        idx = row.get("InterfaceIndex")
        found.append(
            Adapter(
                name=name,
                kind=kind,
                description=desc,
                addresses=tuple(by_index.get(idx, [])) if isinstance(idx, int) else (),
                up=str(row.get("Status", "")).lower() == "up",
                index=idx if isinstance(idx, int) else None,
                evidence=f"description {desc!r}",
                strength=strength,
            )
        )
    return found


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def plan(adapter: Adapter, port: int) -> Plan:
    """Return the PowerShell commands that address the adapter and open the server's port."""
    alias = _quote(adapter.name)
    steps: list[Step] = []
    warnings: list[str] = []
    notes: list[str] = []
    problem = None
    if any(a.startswith(ICS_ADDRESS + "/") for a in adapter.addresses):
        warnings.append(
            f"{adapter.name} has {ICS_ADDRESS}: Internet Connection Sharing is on for it. "
            "Turn sharing off (ncpa.cpl > your internet adapter > Properties > Sharing); it "
            "re-addresses the Car Thing's adapter and breaks the link."
        )
    else:
        warnings.append(
            "Do not turn on Internet Connection Sharing for this adapter: it re-addresses it."
        )
    if adapter.kind == "rndis":
        if not adapter.host_address:
            steps.append(Step(
                powershell(
                    f"Set-NetIPInterface -InterfaceAlias {alias} -AddressFamily IPv4"
                    " -Dhcp Disabled;"
                    f" Get-NetIPAddress -InterfaceAlias {alias} -AddressFamily IPv4"
                    " -ErrorAction SilentlyContinue | Remove-NetIPAddress -Confirm:$false;"
                    f" New-NetIPAddress -InterfaceAlias {alias} -IPAddress {RNDIS_HOST}"
                    f" -PrefixLength {RNDIS_PREFIX}"
                ),
                f"give {adapter.name} {RNDIS_HOST}/{RNDIS_PREFIX}",
            ))
        else:
            notes.append(f"{adapter.name} already has {RNDIS_HOST}/{RNDIS_PREFIX}.")
    elif adapter.host_address:
        notes.append(f"DHCP lease {adapter.host_address} on {adapter.name}.")
    else:
        problem = (f"No DHCP lease in 10.42.1.0/24 on {adapter.name}: unplug and re-plug the "
                   "Car Thing; on Windows 10 pick the \"UsbNcm Host Device\" driver in Device "
                   "Manager.")
    # A new adapter lands in the Public profile, which blocks the device reaching our server.
    rule = _quote(FIREWALL_RULE)
    steps.append(Step(
        powershell(
            f"Remove-NetFirewallRule -DisplayName {rule} -ErrorAction SilentlyContinue;"
            f" New-NetFirewallRule -DisplayName {rule} -Direction Inbound -Action Allow"
            f" -Protocol TCP -LocalPort {port} -RemoteAddress {adapter.subnet} -Profile Any"
        ),
        f"let {adapter.subnet} reach the server on TCP {port}",
    ))
    return Plan("windows", adapter, steps=tuple(steps), notes=tuple(notes),
                warnings=tuple(warnings), problem=problem)
