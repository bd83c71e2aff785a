"""Shared pieces of the benchmarks: start a server process, a keep-alive load generator, stats.

Everything here talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
if str(ROOT) not in sys.path:  # the benchmarks reuse the test suite's fake upstream
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def machine() -> str:
    """Return a one-line description of this machine (CPU, cores, RAM, OS, Python)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = psutil.virtual_memory().total / 2**30
    return (f"{cpu}, {psutil.cpu_count()} logical CPUs, {ram:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def wait_http(url: str, timeout: float = 30.0) -> float:
    """Poll `url` until it answers 200; return the seconds waited (raise on timeout)."""
    start = time.perf_counter()
    deadline = start + timeout
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.005)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def isolated_env(home: Path) -> dict[str, str]:
    """Return an environment whose claude-carthing home and Claude Code folder are in `home`."""
    env = dict(os.environ)
    env["CLAUDE_CARTHING_HOME"] = str(home / "home")
    env["CLAUDE_CONFIG_DIR"] = str(home / "claude")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for name in ("CLAUDE_CARTHING_SESSION_KEY", "CLAUDE_CARTHING_WEB_URL",
                 "CLAUDE_CARTHING_API_URL"):
        env.pop(name, None)
    return env


@dataclass
class ServerProcess:
    """A server running as a child process, with its psutil handle."""

    popen: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def proc(self) -> psutil.Process:
        """The psutil view of the server process."""
        return psutil.Process(self.popen.pid)

    def cpu_seconds(self) -> float:
        """Return user + system CPU seconds the server has used so far."""
        times = self.proc.cpu_times()
        return float(times.user + times.system)


@contextmanager
def our_server(*extra: str) -> Iterator[ServerProcess]:
    """Run `python -m claude_carthing serve --demo` on a free loopback port in a temp home."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        cmd = [sys.executable, "-m", "claude_carthing", "serve", "--demo",
               "--host", LOOPBACK, "--port", str(port), *extra]
        with spawn(cmd, isolated_env(Path(tmp)), port) as server:
            yield server


@contextmanager
def spawn(cmd: Sequence[str], env: dict[str, str], port: int) -> Iterator[ServerProcess]:
    """Start a server command, wait for its /health, and stop it afterwards."""
    popen = subprocess.Popen(list(cmd), env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=ROOT)
    server = ServerProcess(popen, port)
    try:
        wait_http(server.url + "/health")
        yield server
    finally:
        popen.terminate()
        try:
            popen.wait(10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


def fetch(url: str) -> bytes:
    """Return the body of a GET (loopback)."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


# --- load generator ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one load run measured."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    reconnects: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """Number of requests answered."""
        return len(self.latencies)

    @property
    def rps(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Return the p-th percentile latency in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
        return ordered[index] * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; return (status, server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    keep = not lines[0].startswith("HTTP/1.0")
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            keep = value.strip().lower() != "close"
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep


async def _client(port: int, paths: Sequence[str], stop_at: float, result: LoadResult,
                  offset: int) -> None:
    requests = [f"GET {p} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n\r\n".encode() for p in paths]
    i = offset
    reader = writer = None
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(LOOPBACK, port)
            assert reader is not None
            start = time.perf_counter()
            writer.write(requests[i % len(requests)])
            i += 1
            status, keep = await asyncio.wait_for(_read_response(reader), 10)
            result.latencies.append(time.perf_counter() - start)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status != 200:
                result.errors += 1
            if not keep:
                writer.close()
                writer = None
                result.reconnects += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            result.errors += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


def run_load(port: int, paths: Sequence[str], *, clients: int, seconds: float) -> LoadResult:
    """Drive `clients` keep-alive connections round-robin over `paths` for `seconds`."""

    async def main() -> LoadResult:
        result = LoadResult(seconds)
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, paths, stop_at, result, n)
                               for n in range(clients)))
        return result

    return asyncio.run(main())


def fmt_table(rows: list[list[str]], header: list[str]) -> str:
    """Return a Markdown table (the benchmarks print these; docs/performance.md quotes them)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


class UpstreamProcess:
    """bench/upstream_proc.py (the fake Claude) as a child process, scripted by commands."""

    def __init__(self) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "upstream_proc.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.popen.stdout is not None
        self.url = self.popen.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the fake upstream did not start")

    def send(self, command: str) -> str:
        """Send one command and return its one-line answer."""
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.popen.stdin.write(command + "\n")
        self.popen.stdin.flush()
        return self.popen.stdout.readline().strip()

    def close(self) -> None:
        """Stop the child."""
        try:
            self.send("quit")
            self.popen.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.popen.kill()
            self.popen.wait()


class FakeClock:
    """A settable clock (epoch seconds) for time-compressed runs."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now
