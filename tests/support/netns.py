"""The real USB link: two network namespaces joined by a veth pair, made and removed by a test.

Usage::

    from tests.support.netns import V3_LINK, V41_LINK, usb_link

    with usb_link(*V3_LINK) as link:            # PC 172.16.42.1/24, device 172.16.42.2/24
        server = link.popen("pc", [sys.executable, "-m", "claude_carthing", "serve"])
        link.run("device", ["curl", "-s", f"http://{link.pc_ip}:8080/health"])

    with usb_link(*V41_LINK) as link, LinkServer(link, upstream=fake_upstream) as server:
        http_in(link.device_ns, server.url + "/usage")   # (status, headers, body)

`LinkServer` is the real server on its defaults (0.0.0.0:8080) with its listening socket in the
PC namespace; `in_netns(ns, fn)` runs `fn` in a thread inside `ns` (sockets it makes stay there);
fixtures: `link_factory`, `v3_link`, `v41_link` (skip when namespaces cannot be made).

Both ends live in namespaces of their own (`usb0` on each side, loopback up in both); nothing
is added to the root namespace, so no packet for those subnets can leave the pair. On exit the
processes started through the link are killed and both namespaces are deleted, whatever happened.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import ipaddress
import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from claude_carthing.service import bind
from tests.support.live_server import LiveServer

V3_LINK = ("172.16.42.1/24", "172.16.42.2/24")  # RNDIS: v3 and v4.0
V41_LINK = ("10.42.1.91/29", "10.42.1.90/29")  # CDC-NCM: v4.1 (one device's /29 and a lease)
_counter = itertools.count(1)
CLONE_NEWNET = 0x40000000
T = TypeVar("T")


class NetnsUnavailable(RuntimeError):
    """Network namespaces cannot be made here (not Linux, no iproute2, no privilege)."""


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `ip ARGS` (an argument list) and return the finished process."""
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=60,
                          check=check)


@dataclass
class Link:
    """Both ends of a link: names, addresses, and ways to run programs on either side."""

    pc_ns: str
    device_ns: str
    pc_address: str  # with prefix, e.g. 172.16.42.1/24
    device_address: str
    interface: str = "usb0"
    started: list[subprocess.Popen[Any]] = field(default_factory=list)

    @property
    def pc_ip(self) -> str:
        """The PC end's address without the prefix."""
        return self.pc_address.split("/", 1)[0]

    @property
    def device_ip(self) -> str:
        """The device end's address without the prefix."""
        return self.device_address.split("/", 1)[0]

    def namespace(self, side: str) -> str:
        """Return the namespace name of `side` ("pc" or "device")."""
        if side not in ("pc", "device"):
            raise ValueError(f"side is 'pc' or 'device', not {side!r}")
        return self.pc_ns if side == "pc" else self.device_ns

    def argv(self, side: str, argv: Sequence[str]) -> list[str]:
        """Return `argv` prefixed so that it runs inside `side`'s namespace."""
        return ["ip", "netns", "exec", self.namespace(side), *argv]

    def run(self, side: str, argv: Sequence[str], timeout: float = 60,
            **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """Run `argv` in `side`'s namespace to completion (text output captured by default)."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        check = kwargs.pop("check", False)
        return subprocess.run(self.argv(side, argv), check=check, timeout=timeout, **kwargs)

    def popen(self, side: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start `argv` in `side`'s namespace (own process group; killed when the link ends)."""
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        kwargs.setdefault("start_new_session", True)
        process = subprocess.Popen(self.argv(side, argv), **kwargs)
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen[Any]) -> None:
        """Kill a process started by `popen` (its whole process group) and reap it."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(15)


def in_netns(netns: str | None, action: Callable[[], T], timeout: float = 30.0) -> T:
    """Return `action()` run by a short-lived thread inside network namespace `netns`.

    setns acts on the calling thread only, so this process and its other threads stay where
    they are; sockets the action makes keep belonging to `netns` (listen or connect there).
    """
    if netns is None:
        return action()
    result: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            with open(f"/run/netns/{netns}", "rb") as handle:
                if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns into {netns} failed")
            result.append(action())
        except BaseException as e:
            failed.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if failed:
        raise failed[0]
    if not result:
        raise TimeoutError(f"nothing done in {netns} within {timeout} s")
    return result[0]


def http_in(netns: str | None, url: str, method: str = "GET",
            headers: dict[str, str] | None = None, timeout: float = 10.0
            ) -> tuple[int, dict[str, str], bytes]:
    """Make one HTTP request from inside `netns`; return (status, lower-case headers, body)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=timeout)
    in_netns(netns, conn.connect)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers=headers or {})
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        conn.close()


class LinkServer(LiveServer):
    """The real server on its defaults (0.0.0.0:8080) inside the link's PC namespace.

    Same options as LiveServer (fake upstream on this process's loopback, fake login, clock);
    only its listening socket lives in the PC namespace, so pages reach it at `url`
    (the PC's USB address) or at 127.0.0.1:8080 from inside that namespace.
    """

    def __init__(self, link: Link, **options: Any) -> None:
        settings = {"host": "0.0.0.0", **options.pop("settings", {})}
        super().__init__(port=8080, settings=settings, **options)
        self.link = link

    @property
    def url(self) -> str:
        """The PC's address on the link, as the device calls it."""
        return f"http://{self.link.pc_ip}:{self.port}"

    def listen(self) -> socket.socket:
        """Bind 0.0.0.0:8080 inside the PC namespace."""
        return in_netns(self.link.pc_ns, lambda: bind("0.0.0.0", self.port))

    def probe(self) -> None:
        """GET /health from inside the PC namespace."""
        status, _, _ = http_in(self.link.pc_ns, f"http://127.0.0.1:{self.port}/health",
                               timeout=1)
        if status != 200:
            raise OSError(f"/health answered {status}")


def require_netns() -> None:
    """Skip the current test, saying why, unless this machine can make network namespaces."""
    if sys.platform != "linux" or shutil.which("ip") is None:
        pytest.skip("needs Linux and iproute2 (`ip`)")
    probe = f"cct-probe-{os.getpid()}-{secrets.token_hex(2)}"
    made = ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create network namespaces here (needs root): {made.stderr.strip()}")
    ip("netns", "del", probe, check=False)


@contextmanager
def usb_link(pc_address: str = V3_LINK[0], device_address: str = V3_LINK[1],
             tag: str = "") -> Iterator[Link]:
    """Yield a Link: PC and device namespaces joined by veth `usb0`<->`usb0`, then remove it."""
    for address in (pc_address, device_address):
        ipaddress.ip_interface(address)  # fail early on a typo, before anything is made
    unique = f"{os.getpid()}-{next(_counter)}-{secrets.token_hex(2)}"
    prefix = f"cct{tag}" if tag else "cct"
    link = Link(f"{prefix}-pc-{unique}", f"{prefix}-dev-{unique}", pc_address, device_address)
    made: list[str] = []
    try:
        for ns in (link.pc_ns, link.device_ns):
            done = ip("netns", "add", ns, check=False)
            if done.returncode != 0:
                raise NetnsUnavailable(f"ip netns add {ns}: {done.stderr.strip()}")
            made.append(ns)
        # Created inside the PC namespace with its peer moved straight into the device one:
        # neither end ever exists in the root namespace.
        ip("-n", link.pc_ns, "link", "add", link.interface, "type", "veth", "peer", "name",
           link.interface, "netns", link.device_ns)
        for ns, address in ((link.pc_ns, pc_address), (link.device_ns, device_address)):
            ip("-n", ns, "addr", "add", address, "dev", link.interface)
            ip("-n", ns, "link", "set", link.interface, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        yield link
    finally:
        for process in link.started:
            link.stop(process)
        for ns in made:
            ip("netns", "del", ns, check=False)


@pytest.fixture
def link_factory() -> Iterator[Any]:
    """`link_factory(pc_address, device_address)` enters a usb_link, removed after the test."""
    require_netns()
    with contextlib.ExitStack() as stack:
        yield lambda *addresses: stack.enter_context(usb_link(*addresses))


@pytest.fixture
def v3_link(link_factory: Any) -> Link:
    """A v3/v4.0 RNDIS link: PC 172.16.42.1/24, device 172.16.42.2/24."""
    link: Link = link_factory(*V3_LINK)
    return link


@pytest.fixture
def v41_link(link_factory: Any) -> Link:
    """A v4.1 NCM link: PC 10.42.1.91/29 (the lease), device 10.42.1.90/29."""
    link: Link = link_factory(*V41_LINK)
    return link
