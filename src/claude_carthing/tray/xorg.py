"""Fixes for pystray's X backend (the icon in an XEmbed system tray: XFCE, i3, trayer...).

Other backends have none of the attributes these look for, and are left as they are.
"""

from __future__ import annotations

import contextlib
from typing import Any


def fit_x_backend(icon: Any) -> None:
    """Apply every fix below to a pystray icon that uses the X backend."""
    _dock_only_when_undocked(icon)
    _flush_after_each_x_event(icon)


def _dock_only_when_undocked(icon: Any) -> None:
    """Ask the tray host to dock the icon only when it is not docked already.

    pystray asks again on every new picture. The tray host then takes the icon out and puts it
    back: a flicker at each change, and on a busy PC an icon left blank or 1x1 pixel (seen in CI
    under load). It still docks on show, and again when the tray host has gone away."""
    dock = getattr(icon, "_assert_docked", None)
    if dock is None or not hasattr(icon, "_systray_manager"):
        return

    def dock_if_undocked() -> None:
        if not icon._systray_manager:
            dock()

    icon._assert_docked = dock_if_undocked


def _flush_after_each_x_event(icon: Any) -> None:
    """Make pystray's X backend send what it drew once it has handled an X event.

    Its loop paints (on Expose) and makes our changes (on its own ClientMessage) without a
    flush; with another thread flushing the same connection at that moment, python-xlib can
    leave those requests unsent until the next X event: a blank icon or a stale tooltip for
    good (seen under Xvfb in about 1 run in 7)."""
    handlers = getattr(icon, "_message_handlers", None)
    display = getattr(icon, "_display", None)
    if not isinstance(handlers, dict) or display is None:
        return

    def flushing(handler: Any) -> Any:
        def handle(event: Any) -> None:
            try:
                handler(event)
            finally:
                with contextlib.suppress(Exception):  # a closed connection: the loop ends
                    display.flush()
        return handle

    for kind, handler in list(handlers.items()):
        handlers[kind] = flushing(handler)
