"""Issue 20.5, several Claude accounts on the page, in Debian's Chromium at 800x480: the overview of
all accounts (names, numbers, the worst model, a failing account's words), each account's own
views, the header naming the account, the controls that move between them, what is polled, and
one account's page unchanged. The same scenes run in Chromium 69 in test_chromium69_accounts.py."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from tests.page import scenes
from tests.page.stage import BASE, audit, serve, show

pytestmark = pytest.mark.browser

# What a user sees in each account's row, as plain data (ES5: the same script runs in Chromium 69).
ROWS = """(function () {
  return Array.prototype.map.call(document.querySelectorAll('#main .acct'), function (r) {
    return {
      name: r.getAttribute('data-account'),
      shown: r.querySelector('.a-name').textContent,
      state: r.querySelector('.a-state').textContent,
      alert: r.classList.contains('alert'),
      cells: Array.prototype.map.call(r.querySelectorAll('.a-cell'), function (c) {
        var p = c.querySelector('.pct');
        return [c.querySelector('.label').textContent, p ? p.firstChild.nodeValue : null,
                c.className.split(' ')[1]];
      })
    };
  });
})()"""

# Every visible text of a row lies inside the row (the audit checks the nearest clipping box
# only; a name column taller than its row would be cut by the row itself).
OUTSIDE = """(function () {
  var bad = [];
  Array.prototype.forEach.call(document.querySelectorAll('#main .acct'), function (r) {
    var R = r.getBoundingClientRect();
    Array.prototype.forEach.call(r.querySelectorAll('*'), function (e) {
      var x = e.getBoundingClientRect();
      if (!x.width || !x.height || !e.textContent.trim()) return;
      if (x.top < R.top - 0.5 || x.bottom > R.bottom + 0.5 || x.left < R.left - 0.5 ||
          x.right > R.right + 0.5) bad.push(e.className + ': ' + e.textContent);
    });
  });
  return bad;
})()"""


def view(p: Any) -> str:
    return str(p.get_attribute("#main", "data-view"))


def title(p: Any) -> str:
    return str(p.inner_text("#title"))


def rows(p: Any) -> list[dict[str, Any]]:
    return list(p.evaluate(ROWS))


def pct(p: Any, window_id: str) -> str:
    return str(p.inner_text(f"#main .card[data-window='{window_id}'] .pct")).split("%")[0].strip()


def home(p: Any, name: str | scenes.Scene = "accounts-2", theme: str = "dark",
         query: str = "") -> scenes.Scene:
    scene = scenes.build(time.time())[name] if isinstance(name, str) else name
    show(p, scene, theme=theme, query=query)
    if scene.accounts and len(scene.accounts) > 1 and "account=" not in query:
        p.wait_for_function("document.getElementById('main').dataset.view === 'accounts' && "
                            "document.querySelector('#main .acct') !== null")
    return scene


def polling(p: Any, name: str = "accounts-2") -> scenes.Scene:
    """Open the overview of `name` reading every second (stage.show reads once only)."""
    scene = scenes.build(time.time())[name]
    serve(p, scene)
    p.goto(f"{BASE}/?poll=1&theme=dark")
    p.wait_for_function("document.getElementById('main').dataset.view === 'accounts' && "
                        "document.querySelector('#main .acct') !== null")
    return scene


def press(p: Any, key: str) -> None:
    p.keyboard.press(key)
    p.wait_for_function("document.getElementById('main').dataset.screen !== 'loading'")
    p.wait_for_timeout(30)


def where(p: Any) -> tuple[str, str]:
    """(the view, the header's title): e.g. ("overview", "work")."""
    return view(p), title(p)


def test_one_account_looks_as_before(page) -> None:
    # A server with one account sends meta.accounts = ["personal"]: the page is today's page,
    # with no account name, no overview of accounts, and no /api/accounts read.
    built = scenes.build(time.time())
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    home(page, built["accounts-1"])
    one = page.inner_text("body")
    assert view(page) == "overview" and title(page) == "Claude usage"
    assert page.locator("#main .acct, [data-account]").count() == 0
    assert "personal" not in one and "accounts" not in one.lower()
    assert not [u for u in asked if "/api/accounts" in u or "account=" in u]
    assert pct(page, "five_hour") == "23" and page.locator("#main .card[data-window]").count() == 3
    # Today's server (no meta.accounts), same numbers at the same moment: the same screen.
    other = page.context.new_page()
    show(other, built["live"])
    for part in ("#main", "#foot", "#title", "#plan", "#badge"):
        assert other.inner_text(part) == page.inner_text(part), part
    other.close()
    page.keyboard.press("1")
    assert view(page) == "overview", "preset 1 is the overview, as before"
    page.keyboard.press("ArrowRight")
    assert view(page) == "detail"


def test_the_overview_of_two_accounts(page, shot) -> None:
    home(page, "accounts-2")
    assert title(page) == "All accounts · 2"
    found = {r["name"]: r for r in rows(page)}
    assert list(found) == ["personal", "work"], "the default first"
    personal, work = found["personal"], found["work"]
    assert personal["state"] == "Live"
    assert personal["cells"] == [["5-hour", "23", "ok"], ["Weekly", "64", "warn"],
                                 ["Weekly · Sonnet", "86", "crit"]]
    assert personal["alert"], "a window at >= 80 % frames the account in red"
    # The worst model is the highest per-model window (Opus 55 %, not Sonnet 9 %).
    assert work["cells"] == [["5-hour", "71", "warn"], ["Weekly", "38", "ok"],
                             ["Weekly · Opus", "55", "warn"]]
    assert not work["alert"]
    # Failing: it says so, and still shows its last numbers.
    assert work["state"].startswith("Not updating: Cloudflare is checking the PC")
    assert page.inner_text("#badge") == "", "not every account is live"
    assert "2 accounts · 1 not updating" in page.inner_text("#foot")
    text = page.inner_text("#main")
    assert "in 2h 1" in text and "resets " in text, "reset times where room allows"
    assert page.evaluate(OUTSIDE) == []
    shot(page, "accounts-2-dark")


def test_four_accounts_one_without_data(page) -> None:
    home(page, "accounts-4")
    assert title(page) == "All accounts · 4"
    found = {r["name"]: r for r in rows(page)}
    assert list(found) == ["personal", "work", "team", "lab"]
    assert found["lab"]["cells"] == []
    assert found["lab"]["state"] == "No usage data: Claude's servers are failing; retrying"
    assert found["team"]["cells"][2][1:] == ["100", "crit"]
    assert found["team"]["cells"][2][0] in ("Weekly · Claude Design", "Claude Design")
    assert found["work"]["state"].startswith("Not updating:")
    assert page.evaluate(OUTSIDE) == []


def test_preset_1_steps_through_the_accounts_and_back(page) -> None:
    home(page, "accounts-2")
    seen = []
    for _ in range(3):
        press(page, "1")
        seen.append(where(page))
    assert seen == [("overview", "personal"), ("overview", "work"), ("accounts", "All accounts · 2")]
    press(page, "1")
    assert pct(page, "five_hour") == "23", "personal's own numbers"
    press(page, "1")
    assert pct(page, "five_hour") == "71", "work's own numbers"
    assert page.locator("#main .card[data-window]").count() == 4
    assert page.inner_text("#banner").startswith("Not updating: Cloudflare")
    # Work's details, list, status: its own; preset 1 goes home from any of them.
    press(page, "2")
    assert where(page) == ("detail", "work")
    assert page.get_attribute("#main .detail", "data-window") == "five_hour"
    assert page.inner_text("#main .detail .pct").startswith("71")
    press(page, "3")
    assert view(page) == "list" and page.locator("#main .row[data-window]").count() == 4
    press(page, "4")
    status = page.inner_text("#main")
    assert "work (2 of 2)" in status and "Cloudflare challenge (403)" in status
    press(page, "1")
    assert where(page) == ("accounts", "All accounts · 2")


def test_back_goes_up_one_level(page) -> None:
    home(page, "accounts-2")
    press(page, "1")
    press(page, "1")
    press(page, "2")
    assert where(page) == ("detail", "work")
    press(page, "Escape")
    assert where(page) == ("overview", "work")
    press(page, "Escape")
    assert where(page) == ("accounts", "All accounts · 2")


def test_the_dial_reaches_every_account_and_comes_back(page) -> None:
    home(page, "accounts-2")
    page.mouse.move(400, 240)
    seen = []
    for _ in range(10):
        page.mouse.wheel(100, 0)
        page.wait_for_timeout(150)
        page.wait_for_function("document.getElementById('main').dataset.screen !== 'loading'")
        seen.append(where(page))
    assert seen == [("overview", "personal"), ("overview", "work"),
                    *[("detail", "work")] * 4, ("list", "work"), ("sessions", "work"),
                    ("status", "work"), ("accounts", "All accounts · 2")]
    page.keyboard.press("ArrowLeft")
    assert where(page) == ("status", "work")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert where(page) == ("overview", "personal")
    assert pct(page, "five_hour") == "23"
    page.mouse.wheel(0, -100)  # a vertical wheel counts too; negative goes back
    page.wait_for_timeout(150)
    assert where(page) == ("accounts", "All accounts · 2")


def test_reverse_dial_from_home_goes_to_the_last_views(page) -> None:
    home(page, "accounts-2", query="dial=reverse")
    page.mouse.move(400, 240)
    page.mouse.wheel(100, 0)
    page.wait_for_timeout(150)
    assert where(page) == ("status", "personal")


def test_a_tap_on_an_account_opens_it_and_a_tap_on_the_title_goes_home(page) -> None:
    home(page, "accounts-2")
    page.click("#main .acct[data-account='work']")
    page.wait_for_function("document.getElementById('main').dataset.screen === 'data'")
    assert where(page) == ("overview", "work") and pct(page, "five_hour") == "71"
    page.click("#main .card[data-window='seven_day_opus']")
    assert where(page) == ("detail", "work")
    page.click("#title")
    assert where(page) == ("accounts", "All accounts · 2")


def test_what_the_page_reads_in_each_view(page) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url[len(BASE):]))
    polling(page)
    page.wait_for_timeout(2300)
    on_home = list(asked)
    assert on_home.count("/api/accounts") >= 2, "the overview polls /api/accounts"
    press(page, "1")
    press(page, "1")
    assert where(page) == ("overview", "work")
    page.wait_for_timeout(200)
    assert any(u.startswith("/api/history?") and "account=work" in u for u in asked), \
        "the sparklines are work's own history"
    asked.clear()
    page.wait_for_timeout(2300)
    assert "/usage?account=work" in asked and asked.count("/usage?account=work") >= 2
    assert "/api/accounts" not in asked, "an account's view reads only that account"
    assert not [u for u in asked if u.startswith("/usage") and "account=work" not in u]
    press(page, "ArrowRight")  # work's 5-hour chart, then its weekly one (a week of history)
    press(page, "ArrowRight")
    assert where(page) == ("detail", "work")
    page.wait_for_timeout(300)
    assert any(u.startswith("/api/history?hours=168") and "account=work" in u for u in asked), \
        "the charts are work's own history"


def test_an_unknown_account_goes_home(page) -> None:
    # A kiosk started with ?account=gone (an account since removed): the server answers 404 with
    # the names it has, and the page shows the overview of those.
    home(page, "accounts-2", query="account=gone")
    page.wait_for_function("document.getElementById('main').dataset.view === 'accounts' && "
                           "document.querySelector('#main .acct') !== null")
    assert [r["name"] for r in rows(page)] == ["personal", "work"]


def test_start_in_one_accounts_view(page) -> None:
    home(page, "accounts-2", query="account=work")
    page.wait_for_function("document.getElementById('title').textContent === 'work'")
    assert view(page) == "overview" and pct(page, "five_hour") == "71"


def test_names_with_markup_stay_text(page) -> None:
    scene = scenes.build(time.time())["accounts-2"]
    assert scene.accounts is not None
    evil = '<img src=x onerror="window.pwned=1">'
    docs = {}
    for name, (base, series) in scene.accounts.items():
        doc = copy.deepcopy(base)
        doc["meta"]["accounts"] = ["personal", evil]
        docs["personal" if name == "personal" else evil] = (doc, series)
    scene.accounts = docs
    show(page, scene)
    page.wait_for_function("document.querySelectorAll('#main .acct').length === 2")
    found = rows(page)[1]
    assert found["name"] == evil and found["shown"].startswith('<img src=x onerror="')
    page.click("#main .acct:nth-child(2)")
    page.wait_for_function("document.getElementById('main').dataset.screen === 'data'")
    assert title(page).startswith("<img src=x"), "the header names it, as text"
    assert page.locator("img").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None


def test_after_a_reload_without_the_server_the_overview_comes_from_the_cache(page) -> None:
    scene = home(page, "accounts-2")
    scene.served = False
    page.reload()
    page.wait_for_function("document.getElementById('main').dataset.view === 'accounts' && "
                           "document.getElementById('banner').hidden === false")
    banner = page.inner_text("#banner")
    assert banner.startswith(("Reconnecting to the PC server", "PC server unreachable"))
    assert [r["name"] for r in rows(page)] == ["personal", "work"]
    assert [c[1] for c in rows(page)[0]["cells"]] == ["23", "64", "86"]
    assert "Live" not in [r["state"] for r in rows(page)], "nothing is called live while away"
    scene.served = True
    page.wait_for_function("document.getElementById('banner').hidden", timeout=15000)


def test_a_new_reading_reaches_the_overview(page) -> None:
    scene = polling(page)
    assert scene.accounts is not None
    doc, series = scene.accounts["work"]
    doc = copy.deepcopy(doc)
    doc["windows"][0]["utilization"] = 93.0
    doc["windows"][0]["level"] = "crit"
    scene.accounts["work"] = (doc, series)
    page.wait_for_function("document.querySelector(\"#main .acct[data-account='work'] .pct\")"
                           ".firstChild.nodeValue === '93'", timeout=5000)
    assert {r["name"]: r["alert"] for r in rows(page)}["work"]


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("name", ["accounts-1", "accounts-2", "accounts-3", "accounts-4"])
def test_legible_and_whole_in_every_view(page, name, theme) -> None:
    scene = home(page, name, theme=theme)
    assert scene.accounts is not None
    count = len(scene.accounts)
    if count > 1:
        found = audit(page, 16, 64 if count == 2 else 48)
        assert found["problems"] == [], f"{name} {theme} overview of all"
        sizes = [t["size"] for t in found["texts"] if t["pct"]]
        assert len(sizes) >= 2 * 3 and min(sizes) >= (64 if count == 2 else 48)
        assert page.evaluate(OUTSIDE) == []
    # Each account's own views: today's rules (64 px, 48 px with five or six cards).
    for _ in range(count if count > 1 else 1):
        if count > 1:
            press(page, "1")
        for key in ("1", "2", "3", "4") if count == 1 else ("2", "3", "4", "Escape"):
            press(page, key)
            compact = page.evaluate("document.querySelector('#main .grid.compact') !== null")
            found = audit(page, 14 if compact else 16, 48 if compact else 64)
            assert found["problems"] == [], f"{name} {theme} {title(page)} {view(page)}"


def test_home_is_served_to_a_desktop_and_a_phone_legibly(browser) -> None:
    from tests.support.browser import new_page

    for width, height in ((1280, 800), (390, 844)):
        p = new_page(browser, width, height)
        home(p, "accounts-2")
        found = audit(p, 16, 48)
        assert found["problems"] == [], (width, found["problems"])
        assert [r["name"] for r in rows(p)] == ["personal", "work"]
        p.context.close()


def test_the_stage_answers_like_the_server() -> None:
    # Guards the fakes every test above relies on: the documents name their account and list
    # all of them; an unknown name is a 404 with the names; /api/accounts has one entry each.
    scene = scenes.build(time.time())["accounts-2"]
    status, doc = scene.usage("account=WORK")
    assert status == 200 and doc["meta"]["account"] == "work"
    assert doc["meta"]["accounts"] == ["personal", "work"]
    assert scene.usage("")[1]["meta"]["account"] == "personal"
    assert scene.usage("account=nobody") == (404, {"error": "no account named 'nobody'",
                                                   "accounts": ["personal", "work"]})
    body = scene.overview()
    assert body is not None
    assert [(e["name"], e["default"], e["state"]) for e in body["accounts"]] == [
        ("personal", True, "live"), ("work", False, "stale")]
    assert body["accounts"][1]["error"] == "Cloudflare challenge (403)"
    assert scenes.build(time.time())["live"].overview() is None
    assert "accounts-2" not in scenes.NAMES, "the other states' tests are unchanged"



def test_claude_code_sessions_on_the_overview_of_all(page) -> None:
    # Sessions are all accounts' (in every account's /usage); the waiting banner shows on the
    # overview of all too, and the Sessions view names each session's account.
    from tests.page import payloads

    scene = scenes.build(time.time())["accounts-2"]
    assert scene.accounts is not None
    listed = payloads.sessions()
    listed[0]["account"] = "work"
    listed[1]["account"] = "personal"
    for name, (doc, series) in list(scene.accounts.items()):
        scene.accounts[name] = ({**doc, "sessions": listed}, series)
    scene.doc = scene.accounts["personal"][0]
    home(page, scene)
    page.wait_for_function("!document.getElementById('waiting').hidden")
    assert page.inner_text("#waiting") == "my-project is waiting for you"
    assert view(page) == "accounts"
    press(page, "5")
    infos = page.locator("#main .session .s-info").all_inner_texts()
    assert infos[0].startswith("work · Opus 4.5") and infos[1].startswith("personal · Sonnet 4.5")
    assert infos[2].startswith("Haiku 4.5"), "no account named: none said"


def test_sessions_in_api_accounts_save_the_second_read(page) -> None:
    # A server whose /api/accounts carries `sessions` (proposed): the overview of all reads
    # nothing else, and the waiting banner comes from it.
    from tests.page import payloads

    scene = scenes.build(time.time())["accounts-2"]
    plain_overview = scene.overview
    scene.overview = lambda: {**(plain_overview() or {}), "sessions": payloads.sessions()[:1]}
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url[len(BASE):]))
    serve(page, scene)
    page.goto(f"{BASE}/?poll=1&theme=dark")
    page.wait_for_function("document.querySelector('#main .acct') !== null && "
                           "!document.getElementById('waiting').hidden")
    assert page.inner_text("#waiting") == "my-project is waiting for you"
    page.wait_for_timeout(300)
    asked.clear()
    page.wait_for_timeout(2300)
    assert asked.count("/api/accounts") >= 2
    assert not [u for u in asked if u.startswith("/usage")]
