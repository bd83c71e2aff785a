"""Windows and macOS notifications as data: what desktop-notifier or osascript is asked."""

from __future__ import annotations

import shlex

import pytest

from claude_carthing.alerts.events import Event
from claude_carthing.alerts.notifier import notification_args, osascript_argv


@pytest.mark.parametrize(("urgency", "expected"),
                         [("low", "Low"), ("normal", "Normal"), ("critical", "Critical")])
def test_every_urgency_maps_to_the_library_s_own(urgency: str, expected: str) -> None:
    from desktop_notifier import Notification, Urgency

    args = notification_args(Event("threshold", "Claude 5-hour limit at 82 %", "Crossed 80 %.",
                                   urgency))
    assert args == {"title": "Claude 5-hour limit at 82 %", "message": "Crossed 80 %.",
                    "urgency": expected}
    built = Notification(args["title"], args["message"], urgency=getattr(Urgency, expected))
    assert built.urgency is getattr(Urgency, expected)


def test_osascript_quotes_titles_and_bodies_it_is_given() -> None:
    event = Event("login", 'Claude "usage"', 'Path C:\\x and "quotes"', "critical")
    argv = osascript_argv(event)
    assert argv[:2] == ["osascript", "-e"] and len(argv) == 3
    # AppleScript string literals escape like a POSIX shell's double quotes; read them back.
    words = shlex.split(argv[2], posix=True)
    assert words == ["display", "notification", 'Path C:\\x and "quotes"', "with", "title",
                     'Claude "usage"']
