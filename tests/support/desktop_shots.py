"""Make docs/notifications.md's tray icon and notification screenshots on a virtual display.

`python -m tests.support.desktop_shots docs/screenshots` (needs Xvfb, trayer, dunst, dbus-daemon).
Both are real: pystray docked into trayer, and dunst showing what the service sent over D-Bus.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

DUNSTRC = """[global]
    font = DejaVu Sans 11
    width = 420
    origin = top-right
    offset = 10x10
    frame_width = 2
    padding = 12
    horizontal_padding = 12
    format = "<b>%s</b>\\n%b"
    icon_position = off
    show_indicators = no
[urgency_low]
    background = "#151517"
    foreground = "#f2f2f2"
    frame_color = "#22c55e"
[urgency_normal]
    background = "#151517"
    foreground = "#f2f2f2"
    frame_color = "#eab308"
[urgency_critical]
    background = "#151517"
    foreground = "#f2f2f2"
    frame_color = "#ef4444"
    timeout = 0
"""


def snapshot(percent: float) -> object:
    """Return a poller snapshot with a 5-hour and a weekly window."""
    from claude_carthing.models import Usage, Window
    from claude_carthing.poller import Snapshot

    now = datetime.now(timezone.utc)
    windows = (Window("five_hour", "5-hour", "session", percent, now + timedelta(hours=2)),
               Window("seven_day", "Weekly", "weekly", 41.0, now + timedelta(days=3)))
    return Snapshot(usage=Usage(windows), source="oauth", last_success_at=time.time())


def tray_shot(screen: object, out: Path) -> None:
    """Dock the real icon for 82 % into trayer and save the tray, enlarged 4 times."""
    import pystray
    from PIL import Image

    from claude_carthing.tray.picture import draw, face

    text, colour = face(snapshot(82.0))  # type: ignore[arg-type]
    icon = pystray.Icon("claude-carthing", draw(text, colour), "Claude usage")
    threading.Thread(target=icon.run, daemon=True).start()
    time.sleep(2.0)
    shot = screen.screenshot().crop((0, 0, 32, 26))  # type: ignore[attr-defined]
    shot.resize((shot.width * 4, shot.height * 4), Image.NEAREST).save(out)
    icon.stop()


def notification_shot(screen: object, bus_address: str, folder: Path, out: Path) -> None:
    """Send the 82 % event through the service's notifier to dunst; save what dunst shows."""
    from claude_carthing.alerts.events import Tracker
    from claude_carthing.alerts.notifier import DesktopNotifications

    rc = folder / "dunstrc"
    rc.write_text(DUNSTRC, encoding="utf-8")
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus_address}
    dunst = subprocess.Popen([shutil.which("dunst") or "dunst", "-config", str(rc)], env=env,
                             stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus_address
        events = Tracker((80.0, 95.0), 1800).update(snapshot(82.0), time.time())  # type: ignore[arg-type]
        assert DesktopNotifications().show(events[0]), "dunst did not take the notification"
        time.sleep(1.5)
        full = screen.screenshot()  # type: ignore[attr-defined]
        full.crop((full.width - 450, 0, full.width, 86)).save(out)
    finally:
        dunst.terminate()
        dunst.wait(10)


def main(target: Path) -> None:
    """Make both screenshots into `target`."""
    from tests.support.session_bus import SessionBus
    from tests.support.xdisplay import TrayDisplay

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        screen = TrayDisplay(shutil.which("Xvfb") or "Xvfb", shutil.which("trayer") or "trayer",
                             width=640, height=140)
        os.environ["DISPLAY"] = screen.name
        os.environ["PYSTRAY_BACKEND"] = "xorg"
        bus = SessionBus(shutil.which("dbus-daemon") or "dbus-daemon", folder / "bus")
        try:
            tray_shot(screen, target / "tray-icon.png")
            notification_shot(screen, bus.address, folder, target / "notification.png")
        finally:
            bus.close()
            screen.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
