"""The real server (uvicorn + our app) running in a thread on a loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claude_carthing.service import Service, bind, build_service, uvicorn_server
from claude_carthing.settings import load_settings
from tests.support import creds
from tests.support.fake_upstream import ORG_ID, FakeUpstream


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Start the service as `serve` would, pointed at a fake upstream, on 127.0.0.1.

    `source`: "oauth" writes a fake Claude Code login, "web" a fake stored session key,
    None writes no credentials. `clock_offset_s` shifts the server's clock (the page must follow
    it). Use as a context manager; `stop()` and `start()` restart on the same port.
    """

    def __init__(
        self,
        home: Path | None = None,
        upstream: FakeUpstream | None = None,
        source: str | None = "oauth",
        demo: bool = False,
        clock_offset_s: float = 0.0,
        interval_s: int = 300,
        port: int | None = None,
        settings: dict[str, Any] | None = None,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        sources: dict[str, Any] | None = None,
    ) -> None:
        self.home = home
        self.upstream = upstream
        self.source = source
        self.demo = demo
        self.clock_offset_s = clock_offset_s
        self.interval_s = interval_s
        self.port = port or free_port()
        self.extra_settings = settings or {}
        self.clock = clock
        self.monotonic = monotonic or time.monotonic
        self.sources = sources  # stand-in sources by account name (see tests/support/accounts)
        self.service: Service | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def poller(self) -> Any:
        """The service's poller (call `poll_once()` to force a read)."""
        assert self.service is not None
        return self.service.poller

    def _environment(self) -> None:
        if self.home is None:
            return
        wanted = {"CLAUDE_CARTHING_HOME": str(self.home / "home"),
                  "CLAUDE_CONFIG_DIR": str(self.home / "claude")}
        for name, value in wanted.items():
            self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value

    def _credentials(self) -> None:
        if self.source == "oauth":
            creds.write_oauth()
        elif self.source == "web":
            creds.write_web(org_id=ORG_ID)

    def start(self) -> LiveServer:
        """Start (or restart) serving; returns when `/health` answers."""
        if self.service is None:
            self._environment()
            self._credentials()
        overrides: dict[str, Any] = {"host": "127.0.0.1", "port": self.port,
                                     "interval": self.interval_s, **self.extra_settings}
        # Never the real Claude: without a fake upstream, a closed loopback port stands in.
        upstream_url = self.upstream.url if self.upstream is not None else (
            f"http://127.0.0.1:{free_port()}")  # nothing listens once the probe is closed
        overrides["web_url"] = overrides["api_url"] = upstream_url
        settings = load_settings(**overrides)
        offset = self.clock_offset_s
        clock = self.clock or (lambda: time.time() + offset)
        self.service = build_service(settings, demo=self.demo, clock=clock,
                                     monotonic=self.monotonic, sources=self.sources)
        sock = self.listen()
        self._server = uvicorn_server(self.service)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True)
        self._thread.start()
        self._sock = sock
        self._wait_healthy()
        self.wait_for_attempt(None)
        return self

    def wait_for_attempt(self, after: float | None, timeout: float = 15.0) -> None:
        """Wait until the poller has tried a read later than `after` (epoch s, None = any)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            attempt = self.poller.snapshot().last_attempt_at
            if attempt is not None and (after is None or attempt > after):
                return
            time.sleep(0.02)
        raise RuntimeError("the poller made no read in time")

    def listen(self) -> socket.socket:
        """Return the bound listening socket (tests/support/netns.py binds inside a namespace)."""
        return bind("127.0.0.1", self.port)

    def probe(self) -> None:
        """GET /health once (OSError when nothing answers)."""
        with urllib.request.urlopen(self.url + "/health", timeout=1):
            pass

    def _wait_healthy(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.probe()
            except OSError:
                time.sleep(0.05)
            else:
                return
        raise RuntimeError("the server did not come up")

    def stop(self) -> None:
        """Stop serving (the port is closed; the poller stops)."""
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(10)
            self._sock.close()
            self._server = None
        if self.service is not None:
            self.service.close()

    def close(self) -> None:
        """Stop and restore the environment."""
        self.stop()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
