"""Tell Nocturne v3 (runit), v4.0 (supervisord) and v4.1 (systemd) apart from an SSH shell."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from claude_carthing.device.transport import DeviceError, Transport


class Generation(str, Enum):
    """A Nocturne generation, named for how its kiosk is started."""

    V3 = "v3"
    V4_0 = "v4.0"
    V4_1 = "v4.1"

    @property
    def init(self) -> str:
        """Return the init system's name."""
        return {"v3": "runit", "v4.0": "supervisord", "v4.1": "systemd"}[self.value]


@dataclass(frozen=True)
class DeviceInfo:
    """What we learned about the device before changing anything."""

    generation: Generation
    firmware: str  # the version file's text, or "unknown"

    def describe(self) -> str:
        """Return e.g. 'Nocturne v3 (runit), firmware 3.0.0'."""
        gen = self.generation
        return f"Nocturne {gen.value} ({gen.init}), firmware {self.firmware}"


# One round trip: the same facts the doc lists, in the order it gives them.
PROBE = r"""
if [ -f /etc/sv/chromium/run ]; then echo gen=v3; cat /etc/nocturne/version.txt 2>/dev/null
elif [ -f /etc/supervisord.conf ] && grep -q '^\[program:chromium\]' /etc/supervisord.conf; then
  echo gen=v4.0; cat /etc/nocturne/version.json 2>/dev/null
elif [ -d /opt/nocturne ] && systemctl cat chromium-kiosk.service >/dev/null 2>&1; then
  echo gen=v4.1; cat /etc/nocturne/floor-version 2>/dev/null
else echo gen=unknown; fi
"""


def detect(transport: Transport) -> DeviceInfo:
    """Probe the device and return its generation and firmware version."""
    lines = transport.check(PROBE).text.splitlines()
    first = lines[0] if lines else ""
    if not first.startswith("gen=") or first == "gen=unknown":
        raise DeviceError(
            "this does not look like Nocturne v3, v4.0 or v4.1: no /etc/sv/chromium/run,"
            " no [program:chromium] in /etc/supervisord.conf, no chromium-kiosk unit"
        )
    return DeviceInfo(Generation(first[4:]), _firmware("\n".join(lines[1:])))


def _firmware(text: str) -> str:
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return "unknown"
        if not isinstance(data, dict):
            return "unknown"
        version = data.get("shortVersion") or data.get("version")
        return str(version) if version else "unknown"
    return text.splitlines()[0].strip() if text else "unknown"
