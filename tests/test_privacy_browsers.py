"""Real browsers over a real link: pages on the PC cannot read usage; the kiosk's page can.

A pair of network namespaces stands in for the USB link (tests/support/netns.py); the server
runs on its defaults (0.0.0.0:8080) in the PC namespace. On the PC side, Debian's Chromium
(through Playwright) opens a `file://` page (with and without --allow-file-access-from-files)
and a page of another local web server with a sandboxed frame; each tries 127.0.0.1 and the PC's
USB address. On the device side, a `file://` page runs with the flags of each generation's own
launch file (tests/device/layouts.py): v3 and v4.0 in Chromium 69 (their `Origin: file://`),
v4.1 in Debian's Chromium (`Origin: null`).

Each attack also runs against a server whose `cors_origins` explicitly lets those pages in: there
the same pages must read, which proves the refusals come from the server's rule, not from the
browser or the test.
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.device import layouts
from tests.support.browser import ARGS, new_page, require_chromium
from tests.support.chromium69 import kiosk_flags
from tests.support.netns import V3_LINK, V41_LINK, LinkServer, in_netns

pytestmark = [pytest.mark.netns, pytest.mark.browser]
PAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "claude_carthing" / "page"
OTHER_PORT = 8000  # another local web server on the PC

ATTACK = """
var GUESS = "fake-guessed-secret-0000000000000000";
async function attempt(base) {
  async function read(path) {
    try {
      const r = await fetch(base + path, {cache: 'no-store'});
      return 'read ' + r.status + ' ' + (await r.text()).slice(0, 30);
    } catch (e) { return 'blocked'; }
  }
  const out = {usage: await read('/usage'), history: await read('/api/history')};
  try {
    const r = await fetch(base + '/api/refresh', {method: 'POST'});
    out.refresh = 'read ' + r.status;
  } catch (e) { out.refresh = 'blocked'; }
  // A blind POST (no-cors) reaches the server without a preflight; only the server can refuse.
  try { await fetch(base + '/api/refresh', {method: 'POST', mode: 'no-cors'}); } catch (e) {}
  // The approvals (issue 19): learn the secret, read the requests, answer one. A text body
  // needs no preflight, as the Car Thing's own page sends it.
  async function ask(path, body) {
    try {
      const r = await fetch(base + path, {method: 'POST', body: body, cache: 'no-store'});
      return 'read ' + r.status + ' ' + (await r.text()).slice(0, 30);
    } catch (e) { return 'blocked'; }
  }
  out.approvals = {
    secret: await ask('/api/approvals/secret', '{}'),
    pending: await ask('/api/approvals/pending', '{"secret":"' + GUESS + '"}'),
    answer: await ask('/api/approvals/answer',
                      '{"secret":"' + GUESS + '","id":"x","decision":"allow"}')};
  return out;
}
async function attemptAll(targets) {
  const all = {};
  for (const t of targets) all[t] = await attempt(t);
  return all;
}
"""
FILE_PAGE = """<!doctype html><meta charset="utf-8"><title>local file</title>
<script>{attack}
window.results = attemptAll({targets});
</script>"""
FRAMED_PAGE = """<!doctype html><meta charset="utf-8"><title>another local server</title>
<iframe sandbox="allow-scripts" srcdoc="{frame}"></iframe>
<script>{attack}
window.results = new Promise(function (resolve) {{
  addEventListener('message', function (e) {{
    attemptAll({targets}).then(function (mine) {{ resolve({{frame: e.data, page: mine}}); }});
  }});
}});
</script>"""
FRAME = "<script>{attack}\nattemptAll({targets}).then(r => parent.postMessage(r, '*'));</script>"


def targets(link) -> list[str]:
    return ["http://127.0.0.1:8080", f"http://{link.pc_ip}:8080"]


def netns_chromium(tmp_path: Path, netns: str) -> Path:
    """A launcher that runs Debian's Chromium inside `netns` (Playwright talks over a pipe)."""
    launcher = tmp_path / "chromium-in-netns"
    launcher.write_text(f"#!/bin/sh\nexec ip netns exec {shlex.quote(netns)} "
                        f"{shlex.quote(str(require_chromium()))} \"$@\"\n")
    launcher.chmod(0o755)
    return launcher


def approval_outcomes(results) -> list[str]:
    """The outcomes of the approvals' calls in the (nested) results."""
    if not isinstance(results, dict):
        return []
    found = list(results["approvals"].values()) if "approvals" in results else []
    return found + [o for key, value in results.items() if key != "approvals"
                    for o in approval_outcomes(value)]


def outcomes(results) -> list[str]:
    """Every outcome string in the (nested) results."""
    if isinstance(results, dict):
        return [o for value in results.values() for o in outcomes(value)]
    return [results]


class OtherWebServer:
    """Another local web server on the PC (127.0.0.1:8000 in the PC namespace)."""

    def __init__(self, netns: str, folder: Path) -> None:
        class Quiet(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, *args):
                pass

        self.server = in_netns(netns, lambda: ThreadingHTTPServer(("127.0.0.1", OTHER_PORT),
                                                                  Quiet))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def attack_pages(tmp_path: Path, link) -> dict[str, tuple[str, list[str]]]:
    """name -> (URL to open, extra Chromium flags)."""
    names = json.dumps(targets(link))
    (tmp_path / "file.html").write_text(FILE_PAGE.format(attack=ATTACK, targets=names))
    frame = FRAME.format(attack=ATTACK, targets=names).replace("&", "&amp;").replace('"', "&quot;")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(FRAMED_PAGE.format(attack=ATTACK, targets=names, frame=frame))
    file_url = (tmp_path / "file.html").as_uri()
    return {"file": (file_url, []),
            "file-with-file-access": (file_url, ["--allow-file-access-from-files"]),
            "sandboxed-frame-of-another-server": (f"http://127.0.0.1:{OTHER_PORT}/", [])}


def visit(playwright_session, launcher: Path, pages) -> dict[str, object]:
    """Open each attack page in its own browser; return what each page's script saw."""
    seen = {}
    for name, (url, flags) in pages.items():
        browser = playwright_session.chromium.launch(
            executable_path=str(launcher), headless=True, args=ARGS + flags)
        try:
            page = new_page(browser)
            page.goto(url)
            seen[name] = page.evaluate("window.results")
        finally:
            browser.close()
    return seen


@pytest.mark.parametrize("opened", [False, True], ids=["default", "control-origins-allowed"])
@pytest.mark.parametrize("addresses", [V3_LINK, V41_LINK], ids=["rndis", "ncm"])
def test_pages_on_the_pc_cannot_read_usage_or_trigger_a_read(
        link_factory, fake_upstream, playwright_session, tmp_path, addresses, opened):
    link = link_factory(*addresses)
    pages = attack_pages(tmp_path, link)
    other = OtherWebServer(link.pc_ns, tmp_path / "site")
    skew = [0.0]
    settings = {"cors_origins": f"null,file://,http://127.0.0.1:{OTHER_PORT}"} if opened else {}
    launcher = netns_chromium(tmp_path, link.pc_ns)
    try:
        with LinkServer(link, upstream=fake_upstream, settings=settings,
                        clock=lambda: time.time() + skew[0],
                        monotonic=lambda: time.monotonic() + skew[0]):
            skew[0] = 61.0  # a refresh would be accepted now: any that gets through polls Claude
            reads_before = len(fake_upstream.usage_requests())
            seen = visit(playwright_session, launcher, pages)
            # A read that a POST triggered starts at once; allow for a slow machine.
            deadline = time.monotonic() + (15 if opened else 1.5)
            while (time.monotonic() < deadline
                   and len(fake_upstream.usage_requests()) == reads_before):
                time.sleep(0.05)
            reads_after = len(fake_upstream.usage_requests())
    finally:
        other.close()
    for name, results in seen.items():
        found = outcomes(results)
        assert len(found) >= 6, (name, results)
        if opened:  # the control: the browser does read when the server allows it
            assert any(o.startswith("read 200 {") for o in found), (name, results)
            # ... but an origin allowed to read usage is still no Car Thing: the server itself
            # refuses to tell the secret, show the requests or take an answer.
            approvals = approval_outcomes(results)
            assert len(approvals) >= 6, (name, results)
            assert all(o.startswith("read 403 ") for o in approvals), (name, approvals)
        else:
            assert set(found) == {"blocked"}, (name, results)
    assert (reads_after > reads_before) == opened


@pytest.mark.parametrize("addresses", [V3_LINK, V41_LINK], ids=["rndis", "ncm"])
def test_the_servers_own_page_still_works_from_the_pc(
        link_factory, fake_upstream, playwright_session, tmp_path, addresses):
    link = link_factory(*addresses)
    launcher = netns_chromium(tmp_path, link.pc_ns)
    with LinkServer(link, upstream=fake_upstream):
        browser = playwright_session.chromium.launch(executable_path=str(launcher),
                                                     headless=True, args=ARGS)
        try:
            for base in targets(link):
                page = new_page(browser)
                page.goto(base + "/")
                page.wait_for_selector("body[data-state='live']", timeout=15000)
                page.add_script_tag(content=ATTACK)
                got = page.evaluate("attempt(location.origin)")
                assert got["usage"].startswith("read 200 {"), got
                assert got["history"].startswith("read 200 {"), got
                assert got["refresh"] in ("read 202", "read 429"), got
                asked = got["approvals"]
                if base.startswith("http://127.0.0.1:"):  # the page on loopback may answer
                    assert asked["secret"].startswith("read 200 {\"secret\""), asked
                    assert asked["pending"].startswith("read 403 "), asked  # a guessed secret
                    assert asked["answer"].startswith("read 403 "), asked
                else:  # the same page from the USB address: another computer could open it
                    assert all(o.startswith("read 403 ") for o in asked.values()), asked
                page.context.close()
        finally:
            browser.close()


LAN = ("198.18.9.1/24", "198.18.9.20/24")  # the PC and another computer on an allowed LAN


def test_a_browser_on_an_allowed_lan_cannot_read_from_a_file_page_or_a_sandboxed_frame(
        link_factory, fake_upstream, playwright_session, tmp_path):
    # `config set allow 198.18.9.0/24` lets that LAN in; its file pages and sandboxed frames
    # (Origin `null` / `file://`) are still no Car Thing. Its browsers get the server's page.
    link = link_factory(*LAN)
    pages = attack_pages(tmp_path, link)
    other = OtherWebServer(link.device_ns, tmp_path / "site")  # a web server on that computer
    skew = [0.0]
    launcher = netns_chromium(tmp_path, link.device_ns)
    try:
        with LinkServer(link, upstream=fake_upstream, settings={"allow": "198.18.9.0/24"},
                        clock=lambda: time.time() + skew[0],
                        monotonic=lambda: time.monotonic() + skew[0]):
            skew[0] = 61.0  # a refresh would be accepted now: any that gets through polls Claude
            reads_before = len(fake_upstream.usage_requests())
            browser = playwright_session.chromium.launch(executable_path=str(launcher),
                                                         headless=True, args=ARGS)
            try:
                page = new_page(browser)  # the control: the server's own page works there
                page.goto(f"http://{link.pc_ip}:8080/")
                page.add_script_tag(content=ATTACK)
                got = page.evaluate("attempt(location.origin)")
                assert_reads(got)
                # ... but only the Car Thing and the page on the PC's loopback may approve.
                assert all(o.startswith("read 403 ") for o in got["approvals"].values()), got
                page.context.close()
            finally:
                browser.close()
            reads_before = len(fake_upstream.usage_requests())
            seen = visit(playwright_session, launcher, pages)
            deadline = time.monotonic() + 1.5
            while (time.monotonic() < deadline
                   and len(fake_upstream.usage_requests()) == reads_before):
                time.sleep(0.05)
            reads_after = len(fake_upstream.usage_requests())
    finally:
        other.close()
    for name, results in seen.items():
        found = outcomes(results)
        assert len(found) >= 6, (name, results)
        assert set(found) == {"blocked"}, (name, results)
    assert reads_after == reads_before


def probe_page(tmp_path: Path, server_url: str) -> str:
    probe = tmp_path / "probe.html"
    probe.write_text(f"<!doctype html><script>{ATTACK}\n"
                     f"window.results = attemptAll({json.dumps([server_url])});</script>")
    return probe.as_uri()


def assert_reads(got) -> None:
    assert got["usage"].startswith("read 200 {"), got
    assert got["history"].startswith("read 200 {"), got
    assert got["refresh"] in ("read 202", "read 429"), got


@pytest.mark.chromium69
@pytest.mark.parametrize("generation", ["v3", "v4.0.0", "v4.0.6", "v4.0.7"])
def test_v3_v40_kiosk_file_page_in_chromium_69_reads_live_usage_over_the_link(
        v3_link, fake_upstream, chromium69, tmp_path, generation):
    launch_text = {"v3": layouts.V3_RUN,
                   "v4.0.7": layouts.start_chromium("http://127.0.0.1:8080/")}.get(
        generation) or layouts.supervisord_conf(generation)
    flags = kiosk_flags(launch_text)
    assert "--allow-file-access-from-files" in flags  # the flag that makes Origin `file://`
    server_url = f"http://{v3_link.pc_ip}:8080"
    with LinkServer(v3_link, upstream=fake_upstream):
        browser = chromium69(probe_page(tmp_path, server_url), flags=flags,
                             netns=v3_link.device_ns)
        got = browser.page.evaluate("window.results")[server_url]
        assert_reads(got)
        # The Car Thing may read and answer requests, with the secret deploy gave it only.
        assert got["approvals"]["pending"].startswith("read 403 {\"error\":\"a wrong"), got
        assert got["approvals"]["secret"].startswith("read 403 "), got  # the PC's page's only
        # The deployed dashboard itself, as the kiosk opens it.
        browser.page.navigate(f"{(PAGE_DIR / 'index.html').as_uri()}?server={server_url}")
        state = browser.page.wait_for(
            "document.body.getAttribute('data-state') === 'live' && document.body.innerText",
            timeout=30)
        assert "%" in state
        browser.page.screenshot(tmp_path / f"{generation}-kiosk.png")


def test_v41_kiosk_file_page_reads_live_usage_over_the_link(
        v41_link, fake_upstream, playwright_session, tmp_path):
    # v4.1's cast_shell is Chromium 147-class: Debian's Chromium stands in, with its flags.
    flags = kiosk_flags(layouts.V41_LAUNCHER)
    assert "--allow-file-access-from-files" not in flags  # so its file:// page sends `null`
    server_url = f"http://{v41_link.pc_ip}:8080"
    launcher = netns_chromium(tmp_path, v41_link.device_ns)
    with LinkServer(v41_link, upstream=fake_upstream):
        browser = playwright_session.chromium.launch(executable_path=str(launcher),
                                                     headless=True, args=ARGS + flags)
        try:
            page = new_page(browser)
            page.goto(probe_page(tmp_path, server_url))
            assert_reads(page.evaluate("window.results")[server_url])
        finally:
            browser.close()
