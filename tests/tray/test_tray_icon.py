"""The tray icon for real: Xvfb, Debian's trayer as the tray host, screenshots and clicks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from claude_carthing import paths
from claude_carthing.tray.picture import draw
from tests.alerts.conftest import usage_payload
from tests.conftest import require_binary
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer, free_port
from tests.support.session_bus import StandInNotifications
from tests.support.xdisplay import TrayDisplay, find_window

WM_CLASS = "claude-carthingSystemTrayIcon"  # what pystray's X backend names the icon window


@pytest.fixture
def x_tray(monkeypatch: pytest.MonkeyPatch) -> Iterator[TrayDisplay]:
    """A virtual display with a system tray, which pystray (X backend) will dock into.

    Every pystray icon made meanwhile is finished with before the X server goes: pystray's
    `Icon.__del__` stops a still-running icon and closes its X connection whenever the icon is
    collected, which once the server had gone raised BrokenPipeError (or ConnectionClosedError)
    in the teardown of whichever later test happened to collect it (CI, about 1 run in 2)."""
    screen = TrayDisplay(require_binary("Xvfb"), require_binary("trayer"))
    monkeypatch.setenv("DISPLAY", screen.name)
    monkeypatch.setenv("PYSTRAY_BACKEND", "xorg")
    made: list[Any] = []
    try:
        with _icons_made(made):
            yield screen
    finally:
        for icon in made:
            _finish(icon)
        screen.close()


@contextlib.contextmanager
def _icons_made(made: list[Any]) -> Iterator[None]:
    """Note every pystray icon made inside the block in `made`."""
    from pystray import _base

    init = _base.Icon.__init__

    def noting(icon: Any, *args: Any, **kwargs: Any) -> None:
        made.append(icon)
        init(icon, *args, **kwargs)

    _base.Icon.__init__ = noting  # type: ignore[method-assign]
    try:
        yield
    finally:
        _base.Icon.__init__ = init  # type: ignore[method-assign]


def _finish(icon: Any) -> None:
    """Leave nothing for the icon's `__del__` to do: not running, its X connection closed."""
    icon._running = False
    display = getattr(icon, "_display", None)
    if display is not None and not isinstance(display, _ClosedDisplay):
        with contextlib.suppress(Exception):
            display.close()
        icon._display = _ClosedDisplay()


def as_docked(text: str, colour: str, size: tuple[int, int]) -> Image.Image:
    """Return the picture as pystray's X backend paints it into a window of `size`."""
    canvas = Image.new("RGB", size)
    canvas.paste(draw(text, colour).resize(size, Image.LANCZOS))
    return canvas


def distance(a: Image.Image, b: Image.Image) -> int:
    """Return how many pixels differ clearly (the icon is drawn deterministically: 0 = same)."""
    channels = ImageChops.difference(a, b).split()
    worst = ImageChops.lighter(ImageChops.lighter(channels[0], channels[1]), channels[2])
    return int(sum(worst.point(lambda v: 1 if v > 48 else 0).histogram()[1:]))


def shown_icon(screen: TrayDisplay) -> Image.Image:
    """Return the pixels of our icon as the tray host shows them on screen."""
    return screen.screenshot().crop(screen.window_box(find_window(screen.display, WM_CLASS)))


def docked_icon(screen: TrayDisplay, timeout: float = 5) -> Image.Image:
    """Return the icon's pixels once docked (until then the window is 1x1)."""
    deadline = time.monotonic() + timeout
    pixels = shown_icon(screen)
    while min(pixels.size) < 16 and time.monotonic() < deadline:
        time.sleep(0.1)
        pixels = shown_icon(screen)
    return pixels


def wait_for_icon(screen: TrayDisplay, text: str, colour: str, timeout: float = 15) -> int:
    """Wait until the icon on screen is the picture for (text, colour); return the distance."""
    deadline = time.monotonic() + timeout
    best = -1
    while time.monotonic() < deadline:
        pixels = shown_icon(screen)
        if min(pixels.size) < 16:  # not docked yet
            time.sleep(0.1)
            continue
        best = distance(pixels, as_docked(text, colour, pixels.size))
        if best <= 1:
            return best
        time.sleep(0.1)
    return best


class RunningTray:
    """Our Tray on the live server's service, its icon loop on a thread of its own."""

    def __init__(self, server: LiveServer, screen: TrayDisplay) -> None:
        import pystray

        from claude_carthing.tray.app import Tray

        self.screen = screen
        self.tray = Tray(server.service, server._server, pystray)
        self.tray.listen()  # every account's poller, as serve_with_tray does
        self.thread = threading.Thread(target=self.tray.run, daemon=True)
        self.thread.start()

    def item(self, text: str) -> Any:
        """Return the menu entry with this text."""
        return next(i for i in self.tray.icon.menu.items if i.text == text)

    def click(self, text: str) -> None:
        """Activate a menu entry through pystray's API, as the menu would."""
        self.item(text)(self.tray.icon)

    def wait_closed(self) -> bool:
        """Wait for the icon loop to end; True when it did."""
        self.thread.join(5)
        if self.thread.is_alive():
            # pystray's X backend sometimes misses the stop message until another event comes
            # (the product exits anyway, see serve_with_tray); nudge it with an Expose.
            with contextlib.suppress(RuntimeError):
                self.screen.wake(find_window(self.screen.display, WM_CLASS, timeout=1))
            self.thread.join(5)
        return not self.thread.is_alive()

    def stop(self) -> None:
        """End the icon loop (asked from a thread of its own: pystray may never answer)."""
        threading.Thread(target=self.tray.stop_icon, daemon=True).start()
        self.wait_closed()


class _ClosedDisplay:
    """Stands in for an X connection already closed (closing it again does nothing)."""

    def close(self) -> None:
        """Nothing left to close."""


def test_the_icon_shows_the_worst_window_and_follows_each_read(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream) -> None:
    fake_upstream.set_usage(usage_payload(30, weekly=12))
    with LiveServer(upstream=fake_upstream) as server:
        running = RunningTray(server, x_tray)
        try:
            assert wait_for_icon(x_tray, "30", "green") <= 1
            pixels = docked_icon(x_tray)
            for other in (("80", "green"), ("30", "red"), ("36", "green")):
                assert distance(pixels, as_docked(*other, pixels.size)) >= 5, other
            green = Image.new("RGB", (1, 1), "#22c55e").getpixel((0, 0))
            assert max(pixels.getcolors())[1] == green  # the most common colour of the icon

            fake_upstream.set_usage(usage_payload(82, weekly=12))
            server.poller.poll_once()
            assert wait_for_icon(x_tray, "82", "red") <= 1
            window = find_window(x_tray.display, WM_CLASS)
            tip = window.get_wm_name()  # pystray's X backend shows the tooltip as the name
            assert tip.splitlines()[0] == "Claude usage"
            assert "5-hour 82 % · 59m" in tip or "5-hour 82 % · 1h 0m" in tip
            assert "Weekly 12 % · 4d 23h" in tip or "Weekly 12 % · 5d 0h" in tip
        finally:
            running.stop()


@pytest.fixture
def openers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Real programs standing in for the browser and the file manager; returns their log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opened = tmp_path / "opened.txt"
    for name in ("browser", "xdg-open"):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\necho "{name} $1" >> "{opened}"\n', encoding="utf-8")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("BROWSER", str(bin_dir / "browser"))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read $BROWSER afresh

    def lines(count: int) -> list[str]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got = opened.read_text().splitlines() if opened.exists() else []
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return opened.read_text().splitlines() if opened.exists() else []

    return lines


def test_open_dashboard_and_open_logs_folder(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream, openers: Any) -> None:
    with LiveServer(upstream=fake_upstream) as server:
        running = RunningTray(server, x_tray)
        try:
            # Open dashboard is the icon's default entry: a real button press on the display.
            x_tray.press(find_window(x_tray.display, WM_CLASS))
            assert openers(1) == [f"browser http://127.0.0.1:{server.port}/"]
            # The other entries through pystray's API (its X backend has no menu to click).
            running.click("Open logs folder")
            assert openers(2)[1] == f"xdg-open {paths.log_dir()}"
        finally:
            running.stop()


def test_refresh_now_and_pause_notifications(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream,
        notifications: StandInNotifications) -> None:
    shift = [0.0]
    fake_upstream.set_usage(usage_payload(40))
    with LiveServer(upstream=fake_upstream, clock=lambda: time.time() + shift[0],
                    monotonic=lambda: time.monotonic() + shift[0]) as server:
        running = RunningTray(server, x_tray)
        try:
            reads = len(fake_upstream.usage_requests())
            shift[0] = 61.0  # past the refresh cooldown
            running.click("Refresh now")
            server.wait_for_attempt(server.poller.snapshot().last_attempt_at)
            assert len(fake_upstream.usage_requests()) == reads + 1

            pause = running.item("Pause notifications for an hour")
            assert not pause.checked
            running.click("Pause notifications for an hour")
            assert pause.checked
            assert server.service.alerts.paused_until == pytest.approx(
                time.time() + shift[0] + 3600, abs=5)
            fake_upstream.set_usage(usage_payload(90))
            server.poller.poll_once()
            server.service.alerts.drain()
            assert [e.kind for e in server.service.alerts.delivered] == ["threshold"]
            assert notifications.wait_for(1, timeout=2) == []  # paused: nothing shown
            running.click("Pause notifications for an hour")  # and back on
            assert not pause.checked
        finally:
            running.stop()


def test_quit_stops_the_server_gracefully(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream) -> None:
    with LiveServer(upstream=fake_upstream) as server:
        running = RunningTray(server, x_tray)
        find_window(x_tray.display, WM_CLASS)
        threading.Thread(target=running.click, args=("Quit",), daemon=True).start()
        server._thread.join(10)
        assert not server._thread.is_alive()  # uvicorn finished its graceful shutdown
        assert server.service.poller.stop()  # the poller already stopped with it
        with pytest.raises(OSError):
            urllib.request.urlopen(server.url + "/health", timeout=2)
        running.stop()


def test_serve_tray_shows_the_icon_and_stops_cleanly_on_sigterm(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream, tmp_path: Path) -> None:
    creds.write_oauth()
    fake_upstream.set_usage(usage_payload(67, weekly=20))
    port = free_port()
    env = {**os.environ, "CLAUDE_CARTHING_API_URL": fake_upstream.url,
           "CLAUDE_CARTHING_WEB_URL": fake_upstream.url}
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "claude_carthing", "serve", "--tray",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for_icon(x_tray, "67", "yellow") <= 1, log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "Stopped." in text and "Traceback" not in text
    with pytest.raises(RuntimeError):
        find_window(x_tray.display, WM_CLASS, timeout=1)  # the icon is gone


def test_a_new_picture_leaves_the_icon_docked(
        x_tray: TrayDisplay, fake_upstream: FakeUpstream) -> None:
    """pystray asks the tray host to dock the icon again with each new picture; the host then
    takes it out and puts it back (a flicker, and on a busy PC a blank or 1x1 icon)."""
    from Xlib import X, display

    fake_upstream.set_usage(usage_payload(30, weekly=12))
    with LiveServer(upstream=fake_upstream) as server:
        running = RunningTray(server, x_tray)
        watcher = display.Display(x_tray.name)
        try:
            assert wait_for_icon(x_tray, "30", "green") <= 1
            window = watcher.create_resource_object(
                "window", find_window(x_tray.display, WM_CLASS).id)
            window.change_attributes(event_mask=X.StructureNotifyMask)
            watcher.sync()
            for percent, colour in (("55", "yellow"), ("82", "red"), ("36", "green")):
                fake_upstream.set_usage(usage_payload(int(percent), weekly=12))
                server.poller.poll_once()
                assert wait_for_icon(x_tray, percent, colour) <= 1, percent
            time.sleep(0.5)  # a late undocking would come now
            moves = []
            while watcher.pending_events():
                event = watcher.next_event()
                if event.type in (X.UnmapNotify, X.ReparentNotify):
                    moves.append(event.__class__.__name__)
            assert moves == []
        finally:
            watcher.close()
            running.stop()
