"""`--set-clock`: give the device this PC's time and timezone, each generation its own way.

Assumptions (from /work/shared/docs/nocturne.md and Nocturne's build sources):
- v3 (Void Linux) and v4.0 (Buildroot) use glibc, which reads the zone from /etc/localtime.
  v4.0 is built without zone data (BR2_TARGET_TZ_INFO off), so a symlink into
  /usr/share/zoneinfo would dangle: deploy writes this PC's compiled zone (TZif) as
  /etc/localtime instead, through the plan (backed up, restored by undeploy).
- v3/v4.0 set the clock with `date -u -s` (BusyBox and GNU date both take "YYYY-MM-DD hh:mm:ss"),
  then copy it to the RTC with `hwclock -w -u` when there is one (the Car Thing has no battery
  for it, so that only helps across a reboot without power loss).
- v4.1 (systemd): `timedatectl set-time`/`set-timezone`, the generation's way. set-time is refused
  while NTP sync is on, so `date -u -s` is the fallback. set-timezone needs a writable /etc;
  when it fails the device keeps its zone and deploy says so.
The page never depends on any of this: the PC sends its own time and UTC offset with each payload.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable

from claude_carthing.device.generation import Generation
from claude_carthing.device.hostzone import HostZone
from claude_carthing.device.transport import Transport

Note = Callable[[str], None]
DRIFT_TOLERANCE_S = 30  # BusyBox `date -s` exits 0 even when the kernel refused the time


def clock_commands(generation: Generation, now: float | None = None) -> list[str]:
    """Return the commands that set the device clock to `now` (this PC's time)."""
    moment = time.time() if now is None else now
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment))
    date = f"date -u -s '{stamp}' >/dev/null"
    if generation is Generation.V4_1:
        return [f"timedatectl set-time @{int(moment)} 2>/dev/null || {date}"]
    return [date, "hwclock -w -u >/dev/null 2>&1; true"]  # no RTC: nothing to copy to


def zone_commands(generation: Generation, zone: HostZone) -> list[str]:
    """Return the timezone commands run outside the plan (v4.1 only; v3/v4.0 use a file)."""
    if generation is Generation.V4_1 and zone.name:
        return [f"timedatectl set-timezone {shlex.quote(zone.name)}"]
    return []


def set_clock(transport: Transport, generation: Generation, zone: HostZone,
              note: Note) -> list[str]:
    """Set the clock (and, on v4.1, the timezone); return warnings."""
    warnings: list[str] = []
    for command in clock_commands(generation):
        note(f"run: {command}")
        transport.check(command)
    reading = transport.run("date -u +%s").text
    if not reading.isdigit() or abs(int(reading) - time.time()) > DRIFT_TOLERANCE_S:
        warnings.append(f"the device clock still reads {reading or 'nothing'} (seconds since"
                        " 1970, UTC) after setting it; the page does not need it")
    if generation is Generation.V4_1:
        commands = zone_commands(generation, zone)
        if not commands:
            warnings.append("this PC does not say its timezone's name, so the device keeps its"
                            " timezone")
        for command in commands:
            note(f"run: {command}")
            result = transport.run(command)
            if result.code != 0:
                detail = (result.err or result.out).decode("utf-8", "replace").strip()
                warnings.append(f"the device kept its timezone: `{command}` failed ({detail})")
    return warnings
