"""The Car Thing's own engine: headless Chromium 69 from npm, driven by a small DevTools client.

The npm package `chrome-aws-lambda@1.6.3` ships `bin/chromium-69.0.3494.0.br`, a
brotli-compressed Linux x86-64 headless Chromium 69 (the Blink and V8 of the v3/v4.0 kiosk).
It is installed and unpacked once into a cache OUTSIDE the repository
(`$CLAUDE_CARTHING_CHROMIUM69_DIR`, default `~/.cache/claude-carthing/chromium-69`).
Playwright cannot drive a browser that old, so this module speaks the 2018 DevTools protocol
over a WebSocket itself.

Usage::

    from tests.support.chromium69 import Chromium69, require_chromium69

    with Chromium69(url, flags=["--allow-file-access-from-files"], netns="ns-name") as browser:
        browser.page.wait_for("document.querySelector('.card') !== null")
        browser.page.key("Digit1")
        browser.page.wheel(delta_x=120)
        browser.page.screenshot(tmp_path / "shot.png")

Fixtures (import them into a test module, or use them through tests/conftest.py):
`chromium69_binary` (session; the binary, or skip with the reason) and `chromium69` (a
launcher whose browsers are all closed after the test).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.devtools import DevTools, DevToolsError

PACKAGE = "chrome-aws-lambda@1.6.3"
VERSION = "69.0.3494.0"
BROTLI = f"node_modules/chrome-aws-lambda/bin/chromium-{VERSION}.br"
BINARY = f"chromium-{VERSION}"
# How this binary runs at all (no setuid sandbox, one process, no GPU), at the Car Thing's size.
BASE_FLAGS = ["--headless", "--no-sandbox", "--single-process", "--no-zygote", "--disable-gpu",
              "--window-size=800,480"]
# Nothing phones home: no updates, sync, metrics, safe browsing or field trials.
QUIET_FLAGS = ["--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--no-default-browser-check",
               "--disable-default-apps", "--disable-extensions", "--disable-breakpad",
               "--disable-domain-reliability", "--metrics-recording-only",
               "--safebrowsing-disable-auto-update", "--disable-client-side-phishing-detection",
               "--disable-features=NetworkPrediction,TranslateUI", "--mute-audio"]


class Unavailable(RuntimeError):
    """Chromium 69 cannot be installed or run here (the message says why)."""


BROWSERS = ("chromium", "chrome", "cast_shell", "$CHROME")


def kiosk_flags(launch_file: str) -> list[str]:
    """The browser flags of a kiosk launch file, exactly as written there.

    Understands v3's `exec /usr/bin/chromium ...` (runit), v4.0's `command=...chrome ...`
    (supervisord.conf), v4.0.7's `exec "$CHROME" ...` (start-chromium) and v4.1's
    `exec /usr/bin/cast_shell ...`. Dropped: --user-data-dir (a path on the device) and the
    start URL (--app=, --url=: the caller opens the page deploy would set).
    """
    joined = launch_file.replace("\\\n", " ")
    for line in joined.splitlines():
        if not line.strip().startswith(("exec ", "command=")):
            continue
        words = shlex.split(line.strip().removeprefix("command="))
        words = words[1:] if words[0] == "exec" else words
        if words and any(name in words[0] for name in BROWSERS):
            return [w for w in words[1:] if w.startswith("--")
                    and not w.startswith(("--user-data-dir=", "--app=", "--url="))]
    raise ValueError("no browser command in this launch file")


def cache_dir() -> Path:
    """Return the folder holding the npm package and the unpacked binary (outside the repo)."""
    env = os.environ.get("CLAUDE_CARTHING_CHROMIUM69_DIR")
    return Path(env) if env else Path.home() / ".cache" / "claude-carthing" / "chromium-69"


def install(folder: Path | None = None) -> Path:
    """Return the Chromium 69 binary, installing the npm package and unpacking it if needed."""
    folder = folder or cache_dir()
    binary = folder / BINARY
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise Unavailable("Chromium 69 from chrome-aws-lambda runs on Linux x86-64 only")
    packed = folder / BROTLI
    if not packed.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable(f"needs npm to install {PACKAGE} (apt-get install npm)")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(folder), "--ignore-scripts", "--no-audit",
             "--no-fund", PACKAGE], capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not packed.is_file():
            raise Unavailable(f"npm install {PACKAGE} failed: {done.stderr.strip()[-300:]}")
    try:
        import brotli
    except ImportError as e:
        raise Unavailable("needs the brotli package (pip install -e '.[test]')") from e
    partial = binary.with_suffix(f".part{os.getpid()}")
    partial.write_bytes(brotli.decompress(packed.read_bytes()))
    partial.chmod(0o755)
    partial.replace(binary)  # atomic: a concurrent run never sees half a binary
    return binary


def require_chromium69() -> Path:
    """Return the Chromium 69 binary or skip the current test with the reason."""
    try:
        import websocket  # noqa: F401
    except ImportError:
        pytest.skip("needs websocket-client (pip install -e '.[test]')")
    try:
        return install()
    except (Unavailable, OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"Chromium 69 unavailable: {e}")


def connect_tcp(port: int, netns: str | None = None, timeout: float = 10.0) -> socket.socket:
    """Connect to 127.0.0.1:port, inside network namespace `netns` when given."""
    from tests.support.netns import in_netns

    return in_netns(netns, lambda: socket.create_connection(("127.0.0.1", port), timeout))


class Chromium69:
    """A headless Chromium 69 process showing `url`, with its DevTools session in `page`.

    `flags` are added after the base and no-phone-home flags (a later flag wins in Chromium).
    `netns` runs it as `ip netns exec NETNS ...`; its DevTools port is then reached inside that
    namespace. Use as a context manager; `close()` kills the process and removes its profile.
    """

    def __init__(self, url: str = "about:blank", flags: Sequence[str] = (),
                 netns: str | None = None, binary: Path | None = None,
                 start_timeout: float = 60.0) -> None:
        self.url = url
        self.flags = list(flags)
        self.netns = netns
        self.binary = binary
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.profile: Path | None = None
        self.port: int | None = None
        self._page: DevTools | None = None

    @property
    def page(self) -> DevTools:
        """The DevTools session of the page (connected on start)."""
        if self._page is None:
            raise DevToolsError("the browser is not started")
        return self._page

    def command(self) -> list[str]:
        """Return the full command line this browser runs."""
        assert self.profile is not None
        binary = self.binary or install()
        argv = [str(binary), *BASE_FLAGS, *QUIET_FLAGS, f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0", *self.flags, self.url]
        return (["ip", "netns", "exec", self.netns] if self.netns else []) + argv

    def log(self) -> str:
        """Return what the browser wrote to stderr so far (for assertion messages)."""
        if self.profile is None:
            return ""
        path = self.profile.parent / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> Chromium69:
        """Launch the browser and connect to its page target."""
        import websocket

        work = Path(tempfile.mkdtemp(prefix="cc-chromium69-"))
        self.profile = work / "profile"
        self.profile.mkdir()
        with (work / "stderr.log").open("wb") as err:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=err,
                                            start_new_session=True)
        try:
            self.port = self._devtools_port()
            target = self._page_target()
            sock = connect_tcp(self.port, self.netns)
            ws = websocket.create_connection(target, socket=sock, timeout=30,
                                             suppress_origin=True)
            self._page = DevTools(ws)
            self._page.call("Page.enable")
            self._page.call("Runtime.enable")
            # The first document may still be loading: callers expect its scripts to have run.
            blank = "" if self.url == "about:blank" else "location.href !== 'about:blank' && "
            self._page.wait_for(blank + "document.readyState === 'complete'", self.start_timeout)
        except BaseException:
            self.close()
            raise
        return self

    def _devtools_port(self) -> int:
        assert self.process is not None and self.profile is not None
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Unavailable(f"Chromium 69 exited ({self.process.returncode}): "
                                  f"{self.log()[-800:]}")
            for line in self.log().splitlines():
                if "DevTools listening on ws://" in line:
                    return int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
            if active.exists() and active.read_text().strip():
                return int(active.read_text().split()[0])
            time.sleep(0.05)
        raise Unavailable(f"Chromium 69 gave no DevTools port in {self.start_timeout} s")

    def _page_target(self) -> str:
        assert self.port is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pages = [t for t in self._json_list() if t.get("type") == "page"]
            if pages:
                return f"ws://127.0.0.1:{self.port}/devtools/page/{pages[0]['id']}"
            time.sleep(0.1)
        raise Unavailable("Chromium 69 shows no page target")

    def _json_list(self) -> list[dict[str, Any]]:
        assert self.port is not None
        with connect_tcp(self.port, self.netns) as sock:
            sock.sendall(f"GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                         "Connection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(
                    data.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0]):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        found: list[dict[str, Any]] = json.loads(data.split(b"\r\n\r\n", 1)[1] or b"[]")
        return found

    def close(self) -> None:
        """Close DevTools, kill the browser (its own process group) and remove its profile."""
        if self._page is not None:
            self._page.close()
            self._page = None
        if self.process is not None:
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(15)
            self.process = None
        if self.profile is not None:
            shutil.rmtree(self.profile.parent, ignore_errors=True)
            self.profile = None

    def __enter__(self) -> Chromium69:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture(scope="session")
def chromium69_binary() -> Path:
    """The Chromium 69 binary (installed into the cache on first use), or skip saying why."""
    return require_chromium69()


@pytest.fixture
def chromium69(chromium69_binary: Path) -> Iterator[Callable[..., Chromium69]]:
    """A launcher: `chromium69(url, flags=[...], netns=None)` returns a started Chromium69."""
    started: list[Chromium69] = []

    def launch(url: str = "about:blank", flags: Sequence[str] = (),
               netns: str | None = None) -> Chromium69:
        browser = Chromium69(url, flags, netns, binary=chromium69_binary)
        started.append(browser)
        return browser.start()

    yield launch
    for browser in started:
        browser.close()
