"""Small helpers shared by the deploy tests."""

from __future__ import annotations

from tests.device.emulator import EmulatedDevice

# Every emulated variant: v3, v4.0.0-v4.0.4, v4.0.5-v4.0.6, v4.0.7, v4.1.
VARIANTS = ["v3", "v4.0.0", "v4.0.6", "v4.0.7", "v4.1"]

STATE = "/var/lib/claude-carthing"
PAGE_DIR = {
    "v3": f"{STATE}/page",
    "v4.0.0": f"{STATE}/page",
    "v4.0.6": f"{STATE}/page",
    "v4.0.7": f"{STATE}/page",
    "v4.1": "/opt/nocturne/webapps/claude-carthing",
}
KIOSK_FILE = {
    "v3": "/etc/sv/chromium/run",
    "v4.0.0": "/etc/supervisord.conf",
    "v4.0.6": "/etc/supervisord.conf",
    "v4.0.7": "/etc/supervisord.conf",
    "v4.1": "/opt/nocturne/kiosk-env",
}


def ssh_args(device: EmulatedDevice) -> list[str]:
    """Return the options that point deploy at an emulated device."""
    return ["--device", "127.0.0.1", "--ssh-port", str(device.port)]


def expected_url(generation: str, server: str) -> str:
    """Return the kiosk URL deploy must set: the approvals secret of this home folder too."""
    from claude_carthing.device.workflow import approvals_key

    return f"file://{PAGE_DIR[generation]}/index.html?server={server}&key={approvals_key()}"


def mtimes(device: EmulatedDevice, *paths: str) -> dict[str, int]:
    """Return the modification times (ns) of device files."""
    return {p: device.path(p).stat().st_mtime_ns for p in paths}
