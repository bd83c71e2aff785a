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
from claude_carthing.i18n.catalogs import catalog
from claude_carthing.models import Usage, Window
from claude_carthing.poller import Snapshot
from claude_carthing.terminal import render_usage
from claude_carthing.tray.picture import tooltip
from tests.page import scenes
from tests.support.pseudo import pseudo
from tests.support.pseudo import unmarked as pseudo_words

NOW = 1_800_000_000.0
NOW_MS = int(NOW * 1000)
# Words that are data, not ours: model and plan names, product names, units of the pseudo marks.
DATA = {"Sonnet", "Fable", "Opus", "Haiku", "Claude", "Code", "Max", "Pro", "claude", "carthing", "login",
        "http", "from", "the", "server", "my", "api", "notes", "website", "project"}


def unmarked(text: str) -> list[str]:
    """Return the words outside «…» that are not data."""
    return pseudo_words(text, DATA)


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


# Issue 20: several accounts. Their names are data, as are the server's own error words.
ACCOUNT_NAMES = {"personal", "work", "team", "lab", "default"}


def _unmarked_with_accounts(text: str) -> list[str]:
    return [w for w in unmarked(text) if w not in ACCOUNT_NAMES]


@pytest.mark.parametrize("name", ["accounts-2", "accounts-4"])
@pytest.mark.parametrize("width", [60, 120])
def test_compact_status_of_several_accounts_has_no_word_outside_the_catalog(
        marked, name, width) -> None:
    from claude_carthing.terminal_accounts import render_accounts

    scene = scenes.build(NOW)[name]
    doc = scene.overview()
    assert doc is not None
    doc["accounts"][0]["default"] = True
    shown = plain(render_accounts(doc, width), width)
    assert "«" in shown
    for entry in doc["accounts"]:
        shown = shown.replace(str(entry["meta"].get("last_error")), "")
    shown = shown.replace("Claude Design", "")  # a product's name from Claude, as Sonnet is
    assert _unmarked_with_accounts(shown) == [], shown


def test_status_watch_of_one_named_account_has_no_word_outside_the_catalog(
        marked, monkeypatch) -> None:
    scene = scenes.build(NOW)["accounts-2"]
    assert scene.accounts is not None
    doc = scene.accounts["work"][0]
    asked: list[str] = []
    monkeypatch.setattr(watch, "_get", lambda url, timeout=3.0: asked.append(url) or doc)
    feed = watch.ServerFeed("http://x", clock=lambda: 0.0, account="work")
    assert asked == ["http://x/usage?account=work"]
    shown = plain(watch.render(doc, {}, NOW_MS, feed.origin, 120), 120)
    said = shown.replace(str(doc["meta"].get("last_error")), "")
    assert _unmarked_with_accounts(said) == [], shown


def test_notifications_of_one_of_several_accounts_have_no_word_outside_the_catalog(marked) -> None:
    from claude_carthing.alerts.events import for_account

    tracker = Tracker((80.0, 95.0), 60.0)
    events = tracker.update(snapshot(96.0), NOW)
    events += tracker.update(replace(snapshot(10.0), paused=True, last_error=None), NOW + 60)
    assert {e.kind for e in events} >= {"threshold", "login"}
    for event in events:
        told = for_account(event, "work")
        assert told.title.startswith("«") and told.account == "work"
        assert _unmarked_with_accounts(told.title + " " + told.body) == [], told
    login = for_account(next(e for e in events if e.kind == "login"), "work")
    assert "--account work" in login.body


def test_the_login_of_one_of_several_accounts_in_german(monkeypatch) -> None:
    from claude_carthing.alerts.events import for_account

    monkeypatch.setattr(i18n, "_active", [catalog("de")])
    [event] = Tracker((80.0, 95.0), 60.0).update(
        replace(snapshot(10.0), paused=True, last_error=None), NOW)
    told = for_account(event, "work")
    assert told.title == "work: Claude-Nutzung: Anmeldung nötig"
    assert told.body.endswith("(claude-carthing login --account work oder /login im Claude Code "
                              "dieses Kontos).")
    assert "claude-carthing login oder" not in told.body  # the one-account sentence is replaced


def _account_snapshots() -> list[tuple[str, Snapshot]]:
    return [
        ("personal", snapshot(50.0)),
        ("work", snapshot(85.0, stale=True)),
        ("team", replace(snapshot(40.0), paused=True, last_error="refused")),
        ("lab", Snapshot(configured=False, source=None)),
        ("side", Snapshot(source="oauth", last_error="Claude's servers answered 500",
                          error_kind="server")),
        ("new", Snapshot(source="oauth")),
        ("odd", replace(snapshot(20.0), usage=Usage(windows=(
            Window("seven_day_sonnet", "Weekly · Sonnet", "weekly", 12.0, None),)))),
        ("empty", replace(snapshot(20.0), usage=Usage(windows=()))),
    ]


def test_the_tray_of_several_accounts_has_no_word_outside_the_catalog(marked) -> None:
    from types import SimpleNamespace

    from claude_carthing.tray.accounts import account_line, accounts_tooltip
    from claude_carthing.tray.app import Tray

    named = _account_snapshots()
    data = ACCOUNT_NAMES | {"side", "new", "odd", "empty"}
    for name, snap in named:
        line = account_line(name, snap)
        said = line.replace(snap.last_error or "\0", "")
        assert [w for w in unmarked(said) if w not in data] == [], line
    tip = accounts_tooltip([(n, replace(s, source="demo")) for n, s in named[:3]], NOW, [])
    assert [w for w in unmarked(tip.replace("refused", "")) if w not in data] == [], tip

    # The menu: an entry per account, each with its own "Refresh now" (pystray stood in for).
    def menu_item(text, action=None, *_, **__):
        return SimpleNamespace(text=text, action=action)

    fake = SimpleNamespace(MenuItem=menu_item, Menu=lambda *items: list(items))
    fake.Menu.SEPARATOR = None  # type: ignore[attr-defined]
    watched = [SimpleNamespace(name=n, poller=SimpleNamespace(snapshot=lambda s=s: s))
               for n, s in named[:2]]
    owner = SimpleNamespace(watched=watched, refresh_account=lambda one: None)
    entries = [e for e in Tray._account_items(owner, fake) if e is not None]  # type: ignore[arg-type]
    assert len(entries) == 2
    for e in entries:
        shown = e.text(None)
        assert [w for w in unmarked(shown) if w not in data] == [], shown
        [refresh] = e.action
        assert refresh.text == "«Refresh now»"


def test_the_tray_of_several_accounts_in_polish(monkeypatch) -> None:
    from claude_carthing.tray.accounts import account_line

    monkeypatch.setattr(i18n, "_active", [catalog("pl")])
    lines = [account_line(name, snap) for name, snap in _account_snapshots()]
    assert lines == ["personal: 5 godz. 50%", "work: 5 godz. 85% (nieaktualne)",
                     "team: 5 godz. 40% (wymagane logowanie)", "lab: brak logowania",
                     "side: brak odczytu (błąd serwera Claude)", "new: czekam na pierwszy odczyt",
                     "odd: Tydzień · Sonnet 12%", "empty: brak limitów"]
