"""Every language's times, weekdays, percentages and money, computed by the page's own code
(page/i18n.js) in Chromium 69 with the server's CLDR data, read the same as Babel writes them
on the PC. The device browser's Intl data is never asked."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from claude_carthing.i18n import formats
from claude_carthing.i18n.languages import LANGUAGES
from claude_carthing.i18n.page_data import page_catalog
from tests.page.files import PAGE_DIR

pytestmark = pytest.mark.chromium69

# Instants around the clock (UTC), the PC at UTC+1 and UTC-7; "now" two days later or the same.
INSTANTS = [int(datetime(2026, 1, 15, h, m, tzinfo=timezone.utc).timestamp() * 1000)
            for h, m in ((0, 0), (9, 5), (11, 59), (12, 0), (14, 40), (23, 59))]
OFFSETS = [60, -420]
DAY = 86_400_000
AMOUNTS = [0, 0.5, 2.675, 12.5, 408.43, 1234.5, 1000000]
CURRENCIES = ["USD", "EUR", "JPY", "GBP", "BRL", "XYZ"]
PERCENTS = [(0, 0), (42, 0), (100, 0), (42.5, 1), (7.25, 1)]
TAGS = [*LANGUAGES, "en-GB"]


def expected(tag: str) -> dict[str, list[str]]:
    days = [INSTANTS[1] + k * DAY for k in range(7)]
    return {
        "time": [formats.clock(ms, off, tag) for ms in INSTANTS for off in OFFSETS],
        "seconds": [formats.clock(ms + 7000, 60, tag, seconds=True) for ms in INSTANTS],
        "when": [formats.when(ms, ms + 2 * DAY, 60, tag) for ms in days]
        + [formats.when(ms, ms, 60, tag) for ms in INSTANTS],
        "money": [formats.money(a, c, tag) for a in AMOUNTS for c in CURRENCIES],
        "percent": [formats.percent(v, tag, d) for v, d in PERCENTS],
    }


SCRIPT = """(function () {
  var I = CC.i18n, out = {};
  var INSTANTS = %(instants)s, OFFSETS = %(offsets)s, DAY = 86400000;
  I.use(%(data)s);
  out.time = []; INSTANTS.forEach(function (ms) { OFFSETS.forEach(function (o) { out.time.push(I.time(ms, o)); }); });
  out.seconds = INSTANTS.map(function (ms) { return I.time(ms + 7000, 60, true); });
  out.when = [0, 1, 2, 3, 4, 5, 6].map(function (k) { var ms = INSTANTS[1] + k * DAY; return I.when(ms, ms + 2 * DAY, 60); })
    .concat(INSTANTS.map(function (ms) { return I.when(ms, ms, 60); }));
  out.money = []; %(amounts)s.forEach(function (a) { %(currencies)s.forEach(function (c) { out.money.push(I.money(a, c)); }); });
  out.percent = %(percents)s.map(function (p) { return I.pct(p[0], p[1]); });
  return out;
})()"""


@pytest.fixture
def probe(tmp_path: Path) -> str:
    # The page's own i18n.js, as the kiosk loads it, with Intl taken away: nothing may use it.
    page = tmp_path / "probe.html"
    page.write_text('<!doctype html><meta charset="utf-8"><script>window.Intl = undefined;'
                    'Number.prototype.toLocaleString = Date.prototype.toLocaleString = '
                    'function () { throw new Error("locale data used"); };</script>'
                    f'<script src="{(PAGE_DIR / "i18n.js").as_uri()}"></script><body>probe',
                    encoding="utf-8")
    return page.as_uri()


def test_every_languages_times_and_money_match_babel_in_chromium69(chromium69, probe) -> None:
    page = chromium69(probe, flags=["--allow-file-access-from-files"]).page
    assert "Chrome/69" in page.evaluate("navigator.userAgent")
    wrong = []
    for tag in TAGS:
        got = page.evaluate(SCRIPT % {
            "instants": json.dumps(INSTANTS), "offsets": json.dumps(OFFSETS),
            "data": json.dumps(page_catalog(tag)), "amounts": json.dumps(AMOUNTS),
            "currencies": json.dumps(CURRENCIES), "percents": json.dumps(PERCENTS)})
        for kind, values in expected(tag).items():
            for want, found in zip(values, got[kind], strict=True):
                if want != found:
                    wrong.append(f"{tag} {kind}: page {found!r}, Babel {want!r}")
    assert not wrong, "\n".join(wrong)


def test_the_page_never_asks_the_browser_for_locale_data() -> None:
    for script in PAGE_DIR.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        for name in ("Intl.", "toLocaleString", "toLocaleTimeString", "toLocaleDateString",
                     "navigator.language"):
            assert name not in text, f"{script.name} uses {name}"
