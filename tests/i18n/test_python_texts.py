"""`status`, `status --watch`, notifications and the tray speak the chosen language, and none of
their words bypasses the catalog: in a pseudo-language that marks every translated message,
only data (numbers, names from Claude) is left unmarked."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from rich.console import Console

from claude_carthing import i18n, watch
from claude_carthing.alerts.events import Tracker, read_event
from claude_carthing.i18n.catalogs import TEMPLATE, Catalog, catalog
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Snapshot
from claude_carthing.terminal import render_usage
from claude_carthing.tray.picture import tooltip
from tests.page import scenes

NOW = 1_800_000_000.0
NOW_MS = int(NOW * 1000)
# Words that are data, not ours: model and plan names, product names, units of the pseudo marks.
DATA = {"Sonnet", "Fable", "Opus", "Haiku", "Claude", "Code", "Max", "Pro", "claude", "carthing", "login",
        "http", "from", "the", "server", "my", "api", "notes", "website", "project"}


def pseudo() -> Catalog:
    """A language whose every message reads «…» around the English."""
    from babel.messages.pofile import read_po

    with TEMPLATE.open("rb") as f:
        messages = [m for m in read_po(f) if m.id]
    singles = {m.id: f"«{m.id}»" for m in messages if isinstance(m.id, str)}
    plurals = {m.id[0]: (f"«{m.id[0]}»", f"«{m.id[1]}»") for m in messages
               if isinstance(m.id, tuple)}
    return Catalog("en", singles, plurals)


def unmarked(text: str) -> list[str]:
    """Return the words outside «…» that are not data."""
    depth, outside = 0, []
    for ch in text:
        if ch == "«":
            depth += 1
        elif ch == "»":
            depth = max(0, depth - 1)
            outside.append(" ")
        elif depth == 0:
            outside.append(ch)
    words = re.findall(r"[^\W\d_]{2,}", "".join(outside))
    return [w for w in words if w not in DATA]


@pytest.fixture
def marked(monkeypatch):
    monkeypatch.setattr(i18n, "_active", [pseudo()])


def plain(renderable, width: int = 120) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("name", ["live", "live-six", "stale", "idle", "sessions", "demo"])
@pytest.mark.parametrize("width", [80, 120])
def test_status_and_watch_have_no_word_outside_the_catalog(marked, name, width) -> None:
    scene = scenes.build(NOW)[name]
    doc = scene.doc
    assert doc is not None
    history = {k: [p[1] for p in v] for k, v in scene.series.items()}
    for shown in (plain(render_usage(doc, width), width),
                  plain(watch.render(doc, history, NOW_MS, watch.t("from the server at {url}",
                                                                   url="http://x"), width), width),
                  watch.summary(doc, NOW_MS)):
        assert "«" in shown
        # The server's own error words are data here (the upstream's reason, in English).
        said = shown.replace(str((doc.get("meta") or {}).get("last_error")), "")
        assert unmarked(said) == [], shown


def snapshot(percent: float, stale: bool = False, resets_in: float = 7200) -> Snapshot:
    resets = datetime.fromtimestamp(NOW + resets_in, tz=timezone.utc)
    usage = Usage(windows=(Window("five_hour", "5-hour", "session", percent, resets),
                           Window("seven_day_sonnet", "Weekly · Sonnet", "weekly", 12.0, resets)))
    return Snapshot(usage=usage, last_success_at=NOW - 3600, source="oauth",
                    last_error="Cloudflare challenge (403)" if stale else None)


def test_notifications_and_tray_have_no_word_outside_the_catalog(marked) -> None:
    tracker = Tracker((80.0, 95.0), 60.0)
    events = tracker.update(snapshot(96.0), NOW) + tracker.update(snapshot(10.0, resets_in=30000), NOW)
    events += tracker.update(replace(snapshot(10.0, stale=True), last_error=None), NOW + 7200)
    events += tracker.update(snapshot(10.0, stale=True), NOW + 7200)
    events.append(read_event(snapshot(50.0), NOW))
    assert {e.kind for e in events} >= {"threshold", "reset", "stale", "read"}
    for event in events:
        said = (event.title + " " + event.body).replace("Cloudflare challenge (403)", "")
        assert unmarked(said) == [], event
    sessions = [{"project": "api", "state": "waiting", "waiting_for": "permission",
                 "since_ms": NOW_MS - 120_000}]
    tip = tooltip(snapshot(50.0, stale=True), NOW, sessions)
    assert unmarked(tip.replace("Cloudflare challenge (403)", "")) == [], tip


def test_status_speaks_german_with_german_formats(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "_active", [catalog("de")])
    doc = scenes.build(NOW)["live"].doc
    shown = plain(render_usage(doc, 120))
    assert "Woche · Sonnet" in shown
    assert "Reset " in shown and "resets" not in shown
    assert re.search(r"\d+,\d\xa0%", shown), shown  # 64,0 %: German decimals and spacing


def test_a_notification_in_polish(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "_active", [catalog("pl")])
    event = Tracker((80.0, 95.0), 60.0).update(snapshot(96.0), NOW)[0]
    assert event.title == "Limit Claude 5 godzin: 96%"
    assert event.body.startswith("Przekroczono 95%.")
