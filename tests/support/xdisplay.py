"""A virtual X display (Xvfb) with a system tray host (trayer), screenshots and clicks."""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

TRAY_HEIGHT = 26  # trayer gives icons its height less 2 pixels: 24 x 24, a usual tray size


class TrayDisplay:
    """Xvfb on a free display number, with trayer docked at the top-left corner."""

    def __init__(self, xvfb: str, trayer: str, width: int = 320, height: int = 80) -> None:
        from Xlib import display

        self.size = (width, height)
        read, write = os.pipe()
        self.xvfb = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0",
                                      f"{width}x{height}x24", "-nolisten", "tcp"],
                                     pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read, 16)
            if not chunk:
                raise RuntimeError("Xvfb did not start")
            number += chunk
        os.close(read)
        self.name = ":" + number.decode().strip()
        self.trayer = subprocess.Popen(
            [trayer, "--edge", "top", "--align", "left", "--widthtype", "request",
             "--height", str(TRAY_HEIGHT), "--heighttype", "pixel", "--transparent", "false",
             "--tint", "0x202020", "--SetDockType", "false", "--expand", "false"],
            env={**os.environ, "DISPLAY": self.name}, stderr=subprocess.DEVNULL)
        self.display: Any = display.Display(self.name)
        selection = self.display.intern_atom("_NET_SYSTEM_TRAY_S0")
        deadline = time.monotonic() + 15
        while self.display.get_selection_owner(selection) == 0:
            if time.monotonic() > deadline:
                raise RuntimeError("the tray host did not take the tray selection")
            time.sleep(0.05)

    def screenshot(self) -> Any:
        """Return the whole screen as a Pillow RGB image."""
        from PIL import Image

        width, height = self.size
        raw = self.display.screen().root.get_image(0, 0, width, height, 2, 0xFFFFFFFF)
        return Image.frombytes("RGB", (width, height), raw.data, "raw", "BGRX")

    def window_box(self, window: Any) -> tuple[int, int, int, int]:
        """Return a window's box on the screen (left, top, right, bottom)."""
        geometry = window.get_geometry()
        at = window.translate_coords(self.display.screen().root, 0, 0)
        return (-at.x, -at.y, -at.x + geometry.width, -at.y + geometry.height)

    def press(self, window: Any) -> None:
        """Send a left-button press to a window's owner (XSendEvent with no event mask).

        pystray's X backend selects no pointer events on its icon window, so a pointer click
        (XTEST) never reaches it; an event sent to the window goes to the client that made it.
        """
        from Xlib import X
        from Xlib.protocol import event

        root = self.display.screen().root
        press = event.ButtonPress(time=X.CurrentTime, root=root, window=window, child=X.NONE,
                                  same_screen=1, root_x=1, root_y=1, event_x=1, event_y=1,
                                  state=0, detail=1)
        window.send_event(press, event_mask=0)
        self.display.sync()

    def wake(self, window: Any) -> None:
        """Send an Expose to a window's owner: a loop that missed a message reads it then."""
        from Xlib.protocol import event

        expose = event.Expose(window=window, x=0, y=0, width=1, height=1, count=0)
        window.send_event(expose, event_mask=0)
        self.display.sync()

    def close(self) -> None:
        """Stop the tray host and the display."""
        self.display.close()
        for proc in (self.trayer, self.xvfb):
            proc.terminate()
            proc.wait(10)


def find_window(display: Any, wm_class: str, timeout: float = 10.0) -> Any:
    """Return the first window whose WM_CLASS names `wm_class`, waiting for it to appear."""
    deadline = time.monotonic() + timeout
    while True:
        pending = [display.screen().root]
        while pending:
            window = pending.pop()
            try:
                names = window.get_wm_class() or ()
                pending.extend(window.query_tree().children)
            except Exception:  # noqa: S112 - a window may vanish while we look
                continue
            if wm_class in names:
                return window
        if time.monotonic() > deadline:
            raise RuntimeError(f"no window of class {wm_class} appeared")
        time.sleep(0.05)
