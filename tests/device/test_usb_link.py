"""End to end over the emulated USB link: every variant shows live numbers in its own engine.

Two network namespaces joined by a veth pair (tests/support/netns.py), nothing in the root
namespace: the PC side (172.16.42.1/24; v4.1 10.42.1.91/29) runs the fake Claude and the real
`claude-carthing serve` on its defaults (all addresses, port 8080); the device side
(172.16.42.2/24; v4.1 10.42.1.90/29) runs the emulated Car Thing, sshd on port 22 of its link
address. `claude-carthing deploy` runs in the PC namespace with no --server (and on v3/v4.0 no
--device: discovery finds 172.16.42.2). The emulated kiosk records the exact argv its launch
file gave the browser; a real browser is then started IN THE DEVICE NAMESPACE with that argv,
Chromium 69 for v3 and every v4.0, Debian's Chromium for v4.1 (cast_shell is Chromium 147-class).

What is changed in the recorded argv, and why (nothing else is):
- headless needs: --headless, --no-sandbox, --disable-gpu, --window-size=800,480,
  --single-process --no-zygote (tests/support/chromium69.py's base flags, used for both
  engines), a free --remote-debugging-port before the recorded one, and the no-phone-home
  flags of every test browser;
- --user-data-dir: a temporary profile instead of the device's (/var/lib/chrome_storage);
- the kiosk URL (--app= on v3/v4.0, cast_shell's --url= on v4.1) is also given as the page to
  open: headless Chromium has no app windows, and Chromium has no --url= switch.
The device's files are seen at their own paths (Options.browser_wrapper), so the file:// URL
is exactly the kiosk's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.device.emulator import EmulatedDevice
from tests.device.helpers import VARIANTS
from tests.support import creds
from tests.support.chromium69 import Chromium69
from tests.support.fake_upstream import FakeUpstream
from tests.support.netns import V3_LINK, V41_LINK, Link, in_netns, require_netns, usb_link

pytestmark = [pytest.mark.ssh, pytest.mark.busybox, pytest.mark.netns, pytest.mark.chromium69]
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
LIVE = "document.body.getAttribute('data-state') === 'live'"


def listen_in(netns: str) -> socket.socket:
    """Return a socket listening on 127.0.0.1 (a free port) inside a network namespace."""

    def listen() -> socket.socket:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        return sock

    return in_netns(netns, listen)


class UpstreamIn(FakeUpstream):
    """The fake Claude, listening on the loopback of the PC's namespace (where serve runs)."""

    def __init__(self, netns: str) -> None:
        super().__init__()
        self.netns = netns

    def start(self) -> UpstreamIn:
        """Serve from a socket made inside the namespace."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = listen_in(self.netns)
        server.server_address = server.socket.getsockname()
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self


@pytest.fixture
def link(request: pytest.FixtureRequest) -> Iterator[Link]:
    """The USB link of the variant under test (RNDIS for v3/v4.0, NCM for v4.1)."""
    require_netns()
    addresses = V41_LINK if request.node.callspec.params["variant"] == "v4.1" else V3_LINK
    with usb_link(*addresses, tag="A") as made:
        yield made


def serve(link: Link, upstream: FakeUpstream) -> subprocess.Popen[bytes]:
    """Start `claude-carthing serve` in the PC namespace on its defaults; wait for /health."""
    creds.write_oauth()
    # No options: the defaults (all addresses, port 8080) are the point. Only Claude is fake.
    env = {**os.environ, "CLAUDE_CARTHING_WEB_URL": upstream.url,
           "CLAUDE_CARTHING_API_URL": upstream.url}
    server = link.popen("pc", [sys.executable, "-m", "claude_carthing", "serve"],
                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = ("import sys,time,urllib.request\n"
             "for _ in range(200):\n"
             "    try:\n"
             "        urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=1); sys.exit(0)\n"
             "    except OSError: time.sleep(0.1)\n"
             "sys.exit(1)\n")
    assert link.run("pc", [sys.executable, "-c", probe], timeout=60).returncode == 0
    return server


def deploy(link: Link, variant: str) -> str:
    """Run `claude-carthing deploy` in the PC namespace as a user would; return its output."""
    extra = ["--device", link.device_ip] if variant == "v4.1" else []
    # The veth stands in for the gadget's adapter: discovery accepts it (only) under this
    # variable, and finds the device from the PC's address on it, as on a real USB link.
    env = {**os.environ, "CLAUDE_CARTHING_USB_TEST_VETH": "ncm" if variant == "v4.1" else "rndis"}
    done = link.run("pc", [sys.executable, "-m", "claude_carthing", "deploy", *extra],
                    timeout=180, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def headless_argv(argv: list[str]) -> tuple[list[str], str]:
    """Return (flags, page URL): the recorded argv with only the changes the docstring lists."""
    url = next(a.split("=", 1)[1] for a in argv if a.startswith(("--app=", "--url=")))
    flags = [a for a in argv if not a.startswith(("--user-data-dir=", "--url="))]
    return flags, url


@pytest.mark.parametrize("variant", VARIANTS)
def test_deploy_over_the_usb_link_shows_live_numbers_in_the_kiosk_s_own_engine(
        make_device: Callable[..., EmulatedDevice], link: Link, variant: str,
        chromium69_binary: Path) -> None:
    upstream = UpstreamIn(link.pc_ns).start()
    try:
        serve(link, upstream)
        device = make_device(variant, netns=link.device_ns, listen=link.device_ip)
        out = deploy(link, variant)
        server = f"http://{link.pc_ip}:8080"
        assert f"The device reaches the server at {server}." in out, out
        device.wait_for(lambda: (device.browser_url() or "").startswith("file://"),
                        "the kiosk on the page")
        argv = device.browser_argv()
        assert f"server={server}" in (device.browser_url() or "")
        flags, url = headless_argv(argv)
        binary = DEBIAN_CHROMIUM if variant == "v4.1" else chromium69_binary
        browser = Chromium69(url, flags, netns=link.device_ns,
                             binary=device.browser_wrapper(binary), start_timeout=90)
        with browser:
            try:
                browser.page.wait_for(LIVE, timeout=45)
            except Exception as exc:
                shown = browser.page.evaluate("document.body.innerText")
                raise AssertionError(f"{variant}: not live ({exc}): {shown!r}\n"
                                     f"{browser.log()[-1500:]}") from exc
            text = browser.page.evaluate("document.querySelector('main').innerText")
            assert "%" in text, text
            assert upstream.usage_requests(), "the numbers did not come from the fake Claude"
    finally:
        upstream.stop()
