"""Run `serve` with a tray icon: the web server in a thread, the icon on the main thread."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import signal
import socket
import subprocess
import threading
import webbrowser
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.account_scope import DEFAULT
from claude_carthing.alerts.observed import ObservedPoller
from claude_carthing.i18n import t
from claude_carthing.poller import Snapshot
from claude_carthing.service import Service, uvicorn_server
from claude_carthing.serving.accounts import Watched
from claude_carthing.tray.accounts import account_line, accounts_tooltip, worst_face
from claude_carthing.tray.picture import draw, face, tooltip
from claude_carthing.tray.xorg import fit_x_backend

log = logging.getLogger(__name__)

PAUSE_S = 3600.0
ICON_CLOSE_S = 5.0
TOOLTIP_REFRESH_S = 20.0  # the tooltip's "waiting for 2 min" is redrawn this often


def open_path(folder: Path) -> None:
    """Open a folder in the system's file manager."""
    folder.mkdir(parents=True, exist_ok=True)
    system = platform.system()
    if system == "Windows":
        os.startfile(folder)  # type: ignore[attr-defined]  # noqa: S606 - Windows' own opener
        return
    opener = "open" if system == "Darwin" else "xdg-open"
    try:
        subprocess.Popen([opener, str(folder)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    except OSError as exc:
        log.warning("Could not open %s (%s).", folder, exc.strerror or exc)


class Tray:
    """The icon, its menu and what each entry does.

    With several accounts the icon is the one that most needs you, the tooltip has a line per
    account and the menu an entry per account; with one it is that account's, as always.
    """

    def __init__(self, service: Service, server: Any, pystray: Any) -> None:
        self.service = service
        self.server = server
        self.watched = service.watched or [Watched(DEFAULT, service.poller, None, service.alerts)]
        port = service.settings.port
        host = service.settings.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.dashboard = f"http://{shown}:{port}/" if ":" not in shown else (
            f"http://[{shown}]:{port}/")
        item = pystray.MenuItem
        self.menu = pystray.Menu(
            item(t("Open dashboard"), self.open_dashboard, default=True),
            *self._account_items(pystray),
            item(t("Refresh now"), self.refresh),
            item(t("Pause notifications for an hour"), self.pause, checked=self._paused),
            item(t("Open logs folder"), self.open_logs),
            item(t("Quit"), self.quit),
        )
        text, colour, tip, self._lines = self._picture()
        self.icon = pystray.Icon("claude-carthing", draw(text, colour), tip, self.menu)
        self.shown = (text, colour)
        fit_x_backend(self.icon)
        # One change at a time: pystray's X backend hands each change to its loop and matches
        # the answers in arrival order, so changes from two threads at once could be lost.
        self._icon_lock = threading.Lock()
        self._stopped = False
        self.loop_ended = threading.Event()
        self._changed = threading.Event()
        self._shown_once = threading.Event()  # changes wait for the icon's loop to show it
        threading.Thread(target=self._apply_changes, name="tray-updates", daemon=True).start()
        if service.sessions is not None:  # a Claude Code session changing changes the tooltip
            service.sessions.listeners.append(lambda: self.observe(service.poller.snapshot()))

    def listen(self) -> None:
        """Follow every account's poller: each read, and each status line reading."""
        for one in self.watched:
            if isinstance(one.poller, ObservedPoller):
                one.poller.listeners.append(self.observe)
                one.poller.reading_listeners.append(self.observe)

    def _account_items(self, pystray: Any) -> list[Any]:
        """Return an entry per account (several accounts only): its numbers in a few words,
        and a submenu to read that account now."""
        if len(self.watched) < 2:
            return []
        item = pystray.MenuItem

        def entry(one: Watched) -> Any:
            return item(lambda _: account_line(one.name, one.poller.snapshot()),
                        pystray.Menu(item(t("Refresh now"), lambda: self.refresh_account(one))))

        return [pystray.Menu.SEPARATOR, *(entry(one) for one in self.watched),
                pystray.Menu.SEPARATOR]

    def _sessions(self) -> list[dict[str, Any]]:
        sessions = self.service.sessions
        return sessions.to_json() if sessions is not None else []

    def _picture(self) -> tuple[str, str, str, tuple[str, ...]]:
        """Return the icon's (text, colour), its tooltip and the account lines of the menu."""
        now = self.service.poller.clock()
        if len(self.watched) < 2:
            snap = self.service.poller.snapshot()
            return (*face(snap), tooltip(snap, now, self._sessions()), ())
        named = [(one.name, one.poller.snapshot()) for one in self.watched]
        return (*worst_face(named), accounts_tooltip(named, now, self._sessions()),
                tuple(account_line(name, snap) for name, snap in named))

    # --- menu actions --------------------------------------------------------------------------

    def open_dashboard(self, *_: Any) -> None:
        """Open the dashboard in the default browser."""
        webbrowser.open(self.dashboard)

    def refresh(self, *_: Any) -> None:
        """Ask every account's poller for an early read (each keeps its own minimum spacing)."""
        for one in self.watched:
            self.refresh_account(one)

    def refresh_account(self, one: Watched) -> None:
        """Ask one account's poller for an early read."""
        accepted, wait = one.poller.request_refresh()
        if not accepted:
            whose = f" of {one.name}" if len(self.watched) > 1 else ""
            log.info("Refresh: the last read%s was too recent; next possible in %d s.", whose,
                     wait)

    def pause(self, *_: Any) -> None:
        """Pause (or resume) notifications for an hour, every account's."""
        every = [one.alerts for one in self.watched if one.alerts is not None]
        if not every:
            return
        if self._paused():
            for alerts in every:
                alerts.paused_until = 0.0
            log.info("Notifications resumed.")
        else:
            for alerts in every:
                alerts.pause(PAUSE_S)

    def _paused(self, *_: Any) -> bool:
        alerts = self.service.alerts
        return alerts is not None and alerts.paused_until > alerts.clock()

    def open_logs(self, *_: Any) -> None:
        """Open the folder of the log files."""
        open_path(paths.log_dir())

    def quit(self, *_: Any) -> None:
        """Stop the server gracefully, then the icon."""
        log.info("Quitting.")
        self.server.should_exit = True
        self.stop_icon()

    def stop_icon(self) -> None:
        """End the icon's loop once (Quit, a signal and the server's end may all ask)."""
        # Menu entries and signals run on the icon's own loop; if an update holds the lock it
        # waits for that loop, so waiting here would deadlock: stop from another thread then.
        if self._icon_lock.acquire(blocking=False):
            try:
                self._stop_locked()
            finally:
                self._icon_lock.release()
        else:
            threading.Thread(target=self._stop_when_free, name="tray-stop", daemon=True).start()

    def _stop_when_free(self) -> None:
        with self._icon_lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        if not self._stopped:
            self._stopped = True
            self.icon.stop()
            with contextlib.suppress(Exception):  # the connection may be closed already
                self._flush()

    # --- updates -------------------------------------------------------------------------------

    def observe(self, _snap: Snapshot) -> None:
        """Note a new snapshot of any account (called on a polling thread, which must never
        wait for us); the icon then shows every account's latest."""
        self._changed.set()

    def run(self) -> None:
        """Run the icon's loop (on this thread) until the icon stops."""
        self.icon.run(setup=self._shown)

    def _shown(self, icon: Any) -> None:
        icon.visible = True
        self._shown_once.set()

    def _apply_changes(self) -> None:
        self._shown_once.wait()
        while True:
            # Also every TOOLTIP_REFRESH_S without a change: "working for 3 min" moves on.
            self._changed.wait(TOOLTIP_REFRESH_S)
            self._changed.clear()
            try:
                if self._apply():
                    return
            except Exception:  # never let one failed change stop every later one
                log.exception("Could not update the tray icon; trying again with the next change")

    def _apply(self) -> bool:
        """Show the latest snapshots (and the sessions) on the icon; True once it has stopped."""
        text, colour, tip, lines = self._picture()
        with self._icon_lock:
            if self._stopped:
                return True
            self.icon.title = tip
            if (text, colour) != self.shown:
                self.shown = (text, colour)
                self.icon.icon = draw(text, colour)
            if lines != self._lines:  # the menu's account entries say their numbers anew
                self._lines = lines
                self.icon.update_menu()
            self._flush()
        return False

    def _flush(self) -> None:
        """Send what pystray's X backend queued: it makes a change on its own thread and does
        not flush it, so it could wait unsent for the next X event (seen: a tooltip stuck)."""
        display = getattr(self.icon, "_display", None)
        if display is not None:
            display.flush()


def load_pystray() -> Any:
    """Return the pystray module, or None after saying why there is no tray icon."""
    try:
        import pystray
    except ImportError:
        log.warning('The tray icon needs its extra: pip install "claude-carthing[tray]". '
                    "Serving without it.")
        return None
    except Exception as exc:  # noqa: BLE001 - no display: Xlib refuses at import time
        log.warning("No tray icon here (%s); serving without it.", exc)
        return None
    return pystray


def serve_with_tray(service: Service, sock: socket.socket) -> bool:
    """Serve with a tray icon until Quit, Ctrl+C or SIGTERM; False when no icon can be shown."""
    pystray = load_pystray()
    if pystray is None:
        return False
    server = uvicorn_server(service)
    try:
        tray = Tray(service, server, pystray)
    except Exception as exc:  # noqa: BLE001 - no tray host or display: serve without the icon
        log.warning("No tray icon here (%s); serving without it.", exc)
        return False
    tray.listen()
    web = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web",
                           daemon=True)
    web.start()

    def follow_server() -> None:  # the server may also stop on its own (a fatal error)
        web.join()
        threading.Thread(target=tray.stop_icon, name="tray-stop", daemon=True).start()
        if not tray.loop_ended.wait(ICON_CLOSE_S):
            # pystray's X backend now and then misses the request to stop its loop; the
            # server has shut down gracefully by now, so finish the job and leave.
            log.warning("The tray icon did not close; exiting.")
            service.close()
            sock.close()
            log.info("Stopped.")
            os._exit(0)

    threading.Thread(target=follow_server, name="tray-follow", daemon=True).start()
    previous = {sig: signal.signal(sig, lambda *_: tray.quit())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        tray.run()
    finally:
        tray.loop_ended.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.should_exit = True
        web.join(10)
        service.close()
        sock.close()
    return True
