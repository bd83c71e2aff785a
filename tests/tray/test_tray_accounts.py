"""Issue 20: the tray icon with several accounts (real icon under Xvfb, as test_tray_icon)."""

from __future__ import annotations

import time
from typing import Any

from claude_carthing import accounts, errors
from tests.support.accounts import Scripted, wait_for_every_account
from tests.support.live_server import LiveServer
from tests.support.xdisplay import TrayDisplay, find_window
from tests.tray.test_tray_icon import WM_CLASS, RunningTray, wait_for_icon, x_tray

__all__ = ["x_tray"]  # the fixture, used by name
SEPARATOR = "- - - -"  # pystray's


def menu_texts(running: RunningTray) -> list[str]:
    return [i.text for i in running.tray.icon.menu.items if i.text != SEPARATOR]


def entry(running: RunningTray, starts: str) -> Any:
    return next(i for i in running.tray.icon.menu.items if i.text.startswith(starts))


def tooltip_lines(screen: TrayDisplay, wanted: str, timeout: float = 15) -> list[str]:
    """Wait for a tooltip with the line `wanted`; return its lines."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = (find_window(screen.display, WM_CLASS).get_wm_name() or "").splitlines()
        if wanted in lines:
            return lines
        time.sleep(0.1)
    raise AssertionError(f"no line {wanted!r} in the tooltip {lines!r}")


def test_the_icon_follows_the_account_that_most_needs_you(x_tray: TrayDisplay) -> None:
    accounts.add("work")
    mine, work = Scripted(30, weekly=12), Scripted(45, weekly=61)
    shift = [0.0]
    with LiveServer(source=None, sources={"default": mine, "work": work},
                    clock=lambda: time.time() + shift[0],
                    monotonic=lambda: time.monotonic() + shift[0]) as server:
        wait_for_every_account(server.service)
        running = RunningTray(server, x_tray)
        try:
            # The other account's weekly 61 % outranks the default's green 30 %.
            assert wait_for_icon(x_tray, "61", "yellow") <= 1
            lines = tooltip_lines(x_tray, "work: 5h 45 % · wk 61 %")
            assert lines == ["Claude usage", "default: 5h 30 % · wk 12 %",
                             "work: 5h 45 % · wk 61 %"]
            assert menu_texts(running) == [
                "Open dashboard", "default: 5h 30 % · wk 12 %", "work: 5h 45 % · wk 61 %",
                "Refresh now", "Pause notifications for an hour", "Open logs folder", "Quit"]

            # An account's own entry reads that account, and only it.
            shift[0] = 61.0  # past the refresh cooldown
            before = (mine.reads, work.reads)
            [refresh] = entry(running, "work:").submenu.items
            assert refresh.text == "Refresh now"
            refresh(running.tray.icon)
            deadline = time.monotonic() + 10
            while work.reads == before[1] and time.monotonic() < deadline:
                time.sleep(0.02)
            assert (mine.reads, work.reads) == (before[0], before[1] + 1)

            # An account that stops reading turns the icon grey (as one failing account does),
            # above a green or yellow one...
            work.fail(errors.NetworkError("no route to claude.ai"))
            server.service.watched[1].poller.poll_once()
            assert wait_for_icon(x_tray, "61", "grey") <= 1
            tooltip_lines(x_tray, "work: 5h 45 % · wk 61 % (stale)")
            assert entry(running, "work:").text == "work: 5h 45 % · wk 61 % (stale)"

            # ...but an account near its limit needs you more.
            mine.set(85, weekly=12)
            server.poller.poll_once()
            assert wait_for_icon(x_tray, "85", "red") <= 1
            tooltip_lines(x_tray, "default: 5h 85 % · wk 12 %")
        finally:
            running.stop()


def test_pause_silences_every_account(x_tray: TrayDisplay) -> None:
    accounts.add("work")
    with LiveServer(source=None, sources={"default": Scripted(), "work": Scripted()}) as server:
        wait_for_every_account(server.service)
        running = RunningTray(server, x_tray)
        try:
            running.click("Pause notifications for an hour")
            assert all(one.alerts.paused_until > time.time() + 3000
                       for one in server.service.watched)
            running.click("Pause notifications for an hour")
            assert all(one.alerts.paused_until == 0 for one in server.service.watched)
        finally:
            running.stop()


def test_with_one_account_the_menu_is_as_before(x_tray: TrayDisplay) -> None:
    with LiveServer(source=None, sources={"default": Scripted(30, weekly=12)}) as server:
        running = RunningTray(server, x_tray)
        try:
            assert wait_for_icon(x_tray, "30", "green") <= 1
            assert menu_texts(running) == ["Open dashboard", "Refresh now",
                                           "Pause notifications for an hour",
                                           "Open logs folder", "Quit"]
            tip = find_window(x_tray.display, WM_CLASS).get_wm_name().splitlines()
            assert tip[0] == "Claude usage" and tip[1].startswith("5-hour 30 % · ")
        finally:
            running.stop()
