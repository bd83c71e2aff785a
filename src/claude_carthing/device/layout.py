"""Where each generation keeps the kiosk URL, where our page goes, and how the kiosk restarts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from claude_carthing.device import kiosk
from claude_carthing.device.generation import Generation
from claude_carthing.device.transport import DeviceError

# /var (and /var/lib) is writable and survives firmware updates on every generation.
STATE_DIR = "/var/lib/claude-carthing"
MANIFEST = f"{STATE_DIR}/manifest.json"
BACKUP_DIR = f"{STATE_DIR}/backup"
# Present from before the kiosk file is edited until the kiosk was restarted on it: a deploy
# whose link dropped in between leaves it, and the next deploy restarts the kiosk.
RESTART_PENDING = f"{STATE_DIR}/restart-pending"


@dataclass(frozen=True)
class Layout:
    """One generation's facts, as data."""

    page_dir: str
    kiosk_file: str
    kiosk_on_rootfs: bool  # needs `mount -o remount,rw /` to change
    edit: Callable[[str | None, str], str]
    read_url: Callable[[str | None], str | None]
    restart_after_config: tuple[str, ...]
    restart_page_only: tuple[str, ...]
    status: str
    running_marker: str  # text in the status output that means "up"
    # Chromium's --remote-debugging-port on the device, reachable through an SSH tunnel.
    debug_port: int | None = None
    # Where `--set-clock` writes the zone (glibc's /etc/localtime); None: the init system's way.
    timezone_file: str | None = None


def _need(text: str | None) -> str:
    if text is None:
        raise DeviceError("the kiosk's configuration file is missing on the device")
    return text


LAYOUTS = {
    Generation.V3: Layout(
        page_dir=f"{STATE_DIR}/page",
        kiosk_file="/etc/sv/chromium/run",
        kiosk_on_rootfs=True,
        edit=lambda text, url: kiosk.set_app_flag(_need(text), url),
        read_url=lambda text: kiosk.app_flag(text or ""),
        restart_after_config=("sv restart chromium",),
        restart_page_only=("sv restart chromium",),
        status="sv status chromium",
        running_marker="run:",
        debug_port=2222,
        timezone_file="/etc/localtime",
    ),
    Generation.V4_0: Layout(
        page_dir=f"{STATE_DIR}/page",
        kiosk_file="/etc/supervisord.conf",
        kiosk_on_rootfs=True,
        edit=lambda text, url: kiosk.set_supervisord_url(_need(text), url),
        read_url=lambda text: kiosk.supervisord_url(text or ""),
        # `restart` alone would keep the old command line: supervisord must re-read its file.
        restart_after_config=("supervisorctl reread", "supervisorctl update chromium"),
        restart_page_only=("supervisorctl restart chromium",),
        status="supervisorctl status chromium",
        running_marker="RUNNING",
        debug_port=2222,  # the same --remote-debugging-port=2222 as v3 in Nocturne's sources
        timezone_file="/etc/localtime",
    ),
    # /opt/nocturne is a bind of /var/lib/bandaid/nocturne: writable, kept by OS updates,
    # and the place Nocturne itself keeps extra web apps; `webapps/ui` is replaced by UI
    # updates, so ours gets a folder of its own beside it.
    Generation.V4_1: Layout(
        page_dir="/opt/nocturne/webapps/claude-carthing",
        kiosk_file="/opt/nocturne/kiosk-env",
        kiosk_on_rootfs=False,
        edit=kiosk.set_kiosk_env,
        read_url=kiosk.kiosk_env_url,
        restart_after_config=("systemctl restart chromium-kiosk",),
        restart_page_only=("systemctl restart chromium-kiosk",),
        status="systemctl is-active chromium-kiosk",
        running_marker="active",
        debug_port=9223,
    ),
}
