"""A private D-Bus session bus (dbus-daemon with a test config) for notification tests."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
ROOT = Path(__file__).resolve().parents[2]


class SessionBus:
    """dbus-daemon on a socket in `folder`; `address` is its DBUS_SESSION_BUS_ADDRESS."""

    def __init__(self, daemon: str, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "session.conf"
        config.write_text(CONFIG.format(dir=folder), encoding="utf-8")
        self.proc = subprocess.Popen([daemon, f"--config-file={config}", "--nofork",
                                      "--print-address=1"], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()
        assert self.address.startswith("unix:"), self.address

    def close(self) -> None:
        """Stop the daemon."""
        self.proc.terminate()
        self.proc.wait(10)


class StandInNotifications:
    """The stand-in notification service running on a bus, and what it recorded."""

    def __init__(self, address: str, record: Path) -> None:
        self.record = record
        env = {"DBUS_SESSION_BUS_ADDRESS": address, "PATH": "/usr/bin:/bin"}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.notification_service",
                                      str(record)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                     env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line == "ready", f"the stand-in did not start: {line!r}"

    def received(self) -> list[dict[str, Any]]:
        """Return every notification received so far, oldest first."""
        if not self.record.exists():
            return []
        lines = self.record.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Wait until at least `count` notifications arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.received()

    def close(self) -> None:
        """Stop the service."""
        self.proc.terminate()
        self.proc.wait(10)
