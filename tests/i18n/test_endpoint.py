"""GET /api/i18n: the page's catalog and formats, reachable from the Car Thing's file:// page
exactly as /usage is, and refused to other web pages; /usage names the server's language."""

from __future__ import annotations

import pytest

from claude_carthing.i18n.catalogs import catalog
from tests.serving.test_access import PC_USB, assert_refused, make_client


@pytest.mark.parametrize("origin", ["file://", "null"])
def test_the_device_page_gets_its_language(fake_upstream, origin) -> None:
    client, _ = make_client(fake_upstream, "172.16.42.2", PC_USB, language="pl")
    usage = client.get("/usage", headers={"Origin": origin})
    assert usage.json()["meta"]["language"] == "pl"
    got = client.get("/api/i18n?lang=pl", headers={"Origin": origin})
    assert got.status_code == 200
    assert got.headers["access-control-allow-origin"] == origin
    body = got.json()
    assert body["language"] == "pl" and body["name"] == "Polski"
    assert body["messages"]["Weekly"] == "Tydzień"
    assert body["plurals"]["{n} day ago"] == ["{n} dzień temu", "{n} dni temu", "{n} dni temu"]
    assert body["plural_table"][:6] == [2, 0, 1, 1, 1, 2]
    assert body["formats"]["time"] == "HH:mm"
    assert body["formats"]["currencies"]["USD"] == ["USD", 2]


def test_without_lang_the_page_gets_the_servers_choice(fake_upstream) -> None:
    client, _ = make_client(fake_upstream, "127.0.0.1", language="ja")
    body = client.get("/api/i18n").json()
    assert body["language"] == "ja"
    assert body["messages"] == catalog("ja").messages
    assert body["formats"]["weekdays"][3] == "木"


def test_an_unknown_language_gets_english(fake_upstream) -> None:
    client, _ = make_client(fake_upstream, "127.0.0.1")
    body = client.get("/api/i18n?lang=tlh").json()
    assert body["language"] == "en" and body["messages"] == {}


def test_other_web_pages_cannot_read_it(fake_upstream) -> None:
    client, _ = make_client(fake_upstream, "127.0.0.1")
    assert_refused(client.get("/api/i18n", headers={"Origin": "https://evil.example"}))
