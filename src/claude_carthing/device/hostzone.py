"""This PC's timezone: its name (when the OS tells it) and a compiled TZif file for the device."""

from __future__ import annotations

import os
import re
import struct
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")


@dataclass(frozen=True)
class HostZone:
    """The timezone to give the device."""

    name: str | None  # IANA name, e.g. "Europe/Berlin"; None when the OS does not say
    tzif: bytes  # what glibc/musl read from /etc/localtime
    offset_s: int  # the UTC offset right now, east positive

    def describe(self) -> str:
        """Return e.g. 'Europe/Berlin (UTC+01:00)'."""
        sign = "+" if self.offset_s >= 0 else "-"
        hours, minutes = divmod(abs(self.offset_s) // 60, 60)
        offset = f"UTC{sign}{hours:02d}:{minutes:02d}"
        return f"{self.name} ({offset})" if self.name else f"a fixed {offset} (no zone name known)"


def host_zone(
    env: dict[str, str] | None = None, localtime: Path = Path("/etc/localtime")
) -> HostZone:
    """Work out this PC's timezone: `$TZ`, else /etc/localtime (Linux, macOS), else the offset."""
    env = dict(os.environ) if env is None else env
    offset = time.localtime().tm_gmtoff
    tz = env.get("TZ", "").lstrip(":")
    if tz:
        found = _zone_file(tz)
        if found is not None:
            return HostZone(_name_from_path(found) or (tz if _NAME.match(tz) else None),
                            found.read_bytes(), offset)
    if localtime.is_file() and localtime.read_bytes().startswith(b"TZif"):
        name = _name_from_path(Path(os.path.realpath(localtime)))
        timezone_file = localtime.parent / "timezone"  # Debian's second record of the name
        if name is None and timezone_file.is_file():
            text = timezone_file.read_text(encoding="utf-8").strip()
            name = text if _NAME.match(text) else None
        return HostZone(name, localtime.read_bytes(), offset)
    # Windows: no zone files and no IANA name without extra packages. A fixed offset is
    # right until the next daylight-saving change; the page itself never needs it.
    return HostZone(None, fixed_offset_tzif(offset), offset)


def _zone_file(tz: str) -> Path | None:
    path = Path(tz)
    if path.is_absolute():
        return path if path.is_file() else None
    if not _NAME.match(tz):
        return None  # a POSIX rule such as "CET-1CEST", not a zone name
    for root in zoneinfo.TZPATH:
        candidate = Path(root) / tz
        if candidate.is_file():
            return candidate
    return None


def _name_from_path(path: Path) -> str | None:
    text = path.as_posix()
    if "zoneinfo/" not in text:
        return None
    name = text.rsplit("zoneinfo/", 1)[1]
    name = name.removeprefix("posix/").removeprefix("right/")
    return name if _NAME.match(name) else None


def fixed_offset_tzif(offset_s: int) -> bytes:
    """Return a TZif (version 2) file for a constant UTC offset, with its POSIX rule footer."""
    sign = "+" if offset_s >= 0 else "-"
    hours, minutes = divmod(abs(offset_s) // 60, 60)
    abbr = f"{sign}{hours:02d}{minutes:02d}" if minutes else f"{sign}{hours:02d}"
    # POSIX TZ rules count west of UTC as positive: UTC+2 is "<+02>-2".
    rule_sign = "-" if offset_s > 0 else "+"
    rule = f"<{abbr}>{rule_sign}{hours}" + (f":{minutes:02d}" if minutes else "")
    chars = abbr.encode() + b"\0"
    counts = struct.pack(">6l", 0, 0, 0, 0, 1, len(chars))
    body = struct.pack(">lBB", offset_s, 0, 0) + chars
    header = b"TZif2" + b"\0" * 15
    return header + counts + body + header + counts + body + f"\n{rule}\n".encode()
