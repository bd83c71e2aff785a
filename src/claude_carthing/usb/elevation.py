"""Whether this process may change network settings, and how to re-run it so it may."""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from pathlib import Path

CAP_NET_ADMIN = 12


def _cap_net_admin(status: Path) -> bool | None:
    try:
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> CAP_NET_ADMIN & 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


def is_admin(proc_status: Path = Path("/proc/self/status")) -> bool:
    """Return True when we may change network settings (Windows admin; CAP_NET_ADMIN; root)."""
    if os.name == "nt":
        try:
            return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            return False
    # On Linux the capability decides (root without CAP_NET_ADMIN cannot `ip addr add`).
    cap = _cap_net_admin(proc_status)
    return cap if cap is not None else os.geteuid() == 0


def rerun_hint(os_name: str, args: str) -> str:
    """Return how to run `claude-carthing <args>` again with elevated rights on `os_name`."""
    program = shutil.which("claude-carthing") or f"{sys.executable} -m claude_carthing"
    if os_name == "windows":
        return ("Open PowerShell as Administrator (Start > type PowerShell > Run as "
                f"administrator) and run: claude-carthing {args}")
    # sudo resets PATH, so name the program by its absolute path.
    return f"Run it with sudo: sudo {program} {args}"
