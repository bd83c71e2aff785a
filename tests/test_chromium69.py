"""The Car Thing's engine really runs here: Chromium 69, driven through our DevTools client."""

from __future__ import annotations

import pytest

from tests.support.devtools import DevToolsError

pytestmark = pytest.mark.chromium69

PAGE = """<!doctype html><meta charset="utf-8"><title>probe</title>
<style>body{margin:0;background:#123456}</style>
<script>
window.got = [];
addEventListener('keydown', function (e) { got.push(['down', e.code, e.key, e.repeat]); });
addEventListener('keyup', function (e) { got.push(['up', e.code]); });
addEventListener('wheel', function (e) { got.push(['wheel', e.deltaX, e.deltaY]); });
</script><body>probe</body>"""


@pytest.fixture
def probe_page(tmp_path):
    path = tmp_path / "probe.html"
    path.write_text(PAGE, encoding="utf-8")
    return path.as_uri()


def test_it_is_chrome_69_and_modern_syntax_fails_there(chromium69, probe_page):
    page = chromium69(probe_page).page
    agent = page.evaluate("navigator.userAgent")
    assert "Chrome/69.0.3494.0" in agent
    for source in ("({a: 1})?.a", "null ?? 1", "class A { #x = 1 }"):
        with pytest.raises(DevToolsError, match="SyntaxError"):
            page.evaluate(source)
    for name in ("Object.fromEntries", "Promise.allSettled", "String.prototype.replaceAll"):
        assert page.evaluate(f"typeof {name}") == "undefined"
    # What Chrome 69 does have, and the viewport is the Car Thing's.
    assert page.evaluate("(async () => [1, 2].map(x => x * 2))()") == [2, 4]
    assert page.evaluate("[innerWidth, innerHeight]") == [800, 480]


def test_keys_wheel_screenshot_navigate_and_reload_reach_the_page(chromium69, probe_page,
                                                                  tmp_path):
    browser = chromium69(probe_page)
    page = browser.page
    page.key("Digit1")
    page.key("KeyM")
    page.key("Enter", up=False)
    page.key("Enter", repeat=True, up=False)
    page.key_up("Enter")
    page.wheel(delta_x=120)
    page.wait_for("got.length >= 8")
    got = page.evaluate("got")
    assert got[:4] == [["down", "Digit1", "1", False], ["up", "Digit1"],
                       ["down", "KeyM", "m", False], ["up", "KeyM"]]
    assert got[4:7] == [["down", "Enter", "Enter", False], ["down", "Enter", "Enter", True],
                        ["up", "Enter"]]
    assert got[7][0] == "wheel" and got[7][1] != 0
    png = page.screenshot(tmp_path / "probe.png")
    assert png.startswith(b"\x89PNG") and (tmp_path / "probe.png").stat().st_size == len(png)
    page.evaluate("window.marker = 1")
    page.reload()
    assert page.evaluate("typeof window.marker") == "undefined"
    page.navigate("data:text/html,<title>second</title>")
    assert page.evaluate("document.title") == "second"


@pytest.mark.netns
def test_it_runs_inside_a_network_namespace_and_reaches_the_other_end(chromium69, tmp_path):
    import contextlib
    import subprocess
    import sys
    import time

    from tests.support.netns import require_netns, usb_link

    require_netns()
    (tmp_path / "hello.txt").write_text("over the pair")
    with usb_link(tag="c") as link:
        server = link.popen("pc", [sys.executable, "-m", "http.server", "--bind", link.pc_ip,
                                   "8080", "--directory", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        page = chromium69("about:blank", netns=link.device_ns).page
        for _ in range(100):  # until the server listens
            with contextlib.suppress(DevToolsError):
                page.navigate(f"http://{link.pc_ip}:8080/hello.txt")
                if page.evaluate("document.body.innerText") == "over the pair":
                    break
            time.sleep(0.1)
        assert page.evaluate("document.body.innerText") == "over the pair"
        link.stop(server)


def test_kiosk_flags_are_read_from_each_generations_launch_file():
    from tests.device import layouts
    from tests.support.chromium69 import kiosk_flags

    v3 = kiosk_flags(layouts.V3_RUN)
    v40 = kiosk_flags(layouts.supervisord_conf("v4.0.6"))
    v407 = kiosk_flags(layouts.start_chromium("http://127.0.0.1:8080/"))
    v41 = kiosk_flags(layouts.V41_LAUNCHER)
    for flags in (v3, v40, v407):  # the flag that makes a file:// page send `Origin: file://`
        assert "--allow-file-access-from-files" in flags and "--kiosk" in flags
    assert "--allow-file-access-from-files" not in v41
    assert v3[:3] == ["--no-sandbox", "--in-process-gpu", "--remote-debugging-port=2222"]
    assert v41 == ["--remote-debugging-port=9223"]
    for flags in (v3, v40, v407, v41):
        assert not any(f.startswith(("--app=", "--url=", "--user-data-dir=")) for f in flags)
    with pytest.raises(ValueError, match="no browser command"):
        kiosk_flags("#!/bin/sh\nexec 2>&1\nexec sleep 1\n")
