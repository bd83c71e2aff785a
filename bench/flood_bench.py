"""Connection flood against `serve --demo` while the Car Thing asks /health over its USB link.

The server and the flood run in a PC network namespace, the device in another, joined by a veth
pair (tests/support/netns.py: needs Linux, iproute2 and root; nothing touches the root
namespace). Two floods, each connection replaced as soon as the server closes it (as an
attacker would):

- `idle`: 300 idle + 50 slowloris (a request head one header at a time) from 127.0.0.1;
- `trickle`: 60 connections from each of 127.0.0.2-127.0.0.9 that send a request head, then
  its body one byte at a time (480 together, past uvicorn's limit_concurrency of 200).

Prints the device's answers (statuses, p50/p99/max latency), how long the flood's connections
lived, and the server's RSS. The run lasts past the server's 10 s request deadline, so a whole
wave of slow connections is cut off and replaced while the device is asked.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from common import ROOT, fmt_table, isolated_env, machine
from tests.support.netns import V3_LINK, in_netns, usb_link

PORT = 8080
BODY_HEAD = (b"POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Content-Length: 900\r\n\r\n")


class Flood:
    """Holds connections of each kind ("idle", "slow", "body"), replacing the ones closed."""

    def __init__(self, plan: list[tuple[str, str]]) -> None:
        # slot: [socket or None, opened at, kind, source address]
        self.slots: list[list[object]] = [[None, 0.0, kind, source] for kind, source in plan]
        self.made = 0
        self.refused_at_once = 0  # closed (or refused) within 1 s of opening
        self.lives: list[float] = []
        self.stop = threading.Event()

    def connect(self, kind: str, source: str) -> socket.socket | None:
        self.made += 1
        try:
            sock = socket.create_connection(("127.0.0.1", PORT), timeout=5,
                                            source_address=(source, 0))
        except OSError:
            self.refused_at_once += 1
            return None
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            if kind == "slow":
                sock.send(b"GET /usage HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            elif kind == "body":
                sock.send(BODY_HEAD)
        return sock

    def run(self) -> None:
        """Keep the flood up until stopped (call inside the PC namespace)."""
        for slot in self.slots:
            slot[0], slot[1] = self.connect(str(slot[2]), str(slot[3])), time.monotonic()
        n = 0
        while not self.stop.is_set():
            n += 1
            for slot in self.slots:
                self.tend(slot, n)
            time.sleep(0.2)
        for slot in self.slots:
            if isinstance(slot[0], socket.socket):
                slot[0].close()

    def tend(self, slot: list[object], n: int) -> None:
        sock, opened, kind, source = slot
        gone = sock is None
        if isinstance(sock, socket.socket):
            try:
                gone = sock.recv(4096) == b""  # an answer may come first; then the close
            except BlockingIOError:
                pass
            except OSError:
                gone = True
            if not gone and kind != "idle":
                try:
                    sock.send(b"X-%d: a\r\n" % n if kind == "slow" else b"x")
                except OSError:
                    gone = True
        if gone:
            if isinstance(sock, socket.socket):
                sock.close()
                life = time.monotonic() - float(str(opened))
                self.lives.append(life)
                self.refused_at_once += life < 1.0
            slot[0], slot[1] = self.connect(str(kind), str(source)), time.monotonic()


def device_get(pc_ip: str) -> tuple[int, float]:
    """One /health from the device on a fresh connection: (status, ms)."""
    start = time.perf_counter()
    try:
        with socket.create_connection((pc_ip, PORT), timeout=10) as sock:
            sock.sendall(f"GET /health HTTP/1.1\r\nHost: {pc_ip}\r\n"
                         "Connection: close\r\n\r\n".encode())
            head = sock.recv(64)
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    except OSError:
        status = 0
    return status, (time.perf_counter() - start) * 1000


def plan_for(kind: str, idle: int, slow: int, per_address: int) -> list[tuple[str, str]]:
    if kind == "idle":
        return [("idle", "127.0.0.1")] * idle + [("slow", "127.0.0.1")] * slow
    return [("body", f"127.0.0.{n}") for n in range(2, 10) for _ in range(per_address)]


def main() -> int:
    """Run the flood, ask as the device meanwhile, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flood", choices=["idle", "trickle"], default="idle")
    parser.add_argument("--seconds", type=float, default=25.0, help="flood time")
    parser.add_argument("--idle", type=int, default=300, help="idle connections (idle flood)")
    parser.add_argument("--slow", type=int, default=50, help="slowloris connections (idle)")
    parser.add_argument("--per-address", type=int, default=60,
                        help="trickled bodies from each of 127.0.0.2-9 (trickle flood)")
    parser.add_argument("--quick", action="store_true", help="6 s smoke run")
    args = parser.parse_args()
    seconds = 6.0 if args.quick else args.seconds
    plan = plan_for(args.flood, args.idle, args.slow, args.per_address)
    print(f"machine: {machine()}")
    print(f"flood: {args.flood}, {len(plan)} connections held for {seconds:.0f} s; the device "
          f"asks /health over its USB link ({V3_LINK[1]}) every 0.25 s\n")
    with usb_link(*V3_LINK, tag="b") as link, \
            tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        server = link.popen("pc", [sys.executable, "-m", "claude_carthing", "serve", "--demo",
                                   "--host", "0.0.0.0", "--port", str(PORT)],
                            env=isolated_env(Path(tmp)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ask() -> tuple[int, float]:
            return in_netns(link.device_ns, lambda: device_get(link.pc_ip))

        deadline = time.monotonic() + 30
        while ask()[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        flood = Flood(plan)
        thread = threading.Thread(
            target=lambda: in_netns(link.pc_ns, flood.run, timeout=seconds + 120), daemon=True)
        thread.start()
        time.sleep(1.0)  # the flood is up
        answers = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            answers.append(ask())
            time.sleep(0.25)
        rss = psutil.Process(server.pid).memory_info().rss / 2**20
        flood.stop.set()
        thread.join(30)
    ok = [ms for status, ms in answers if status == 200]
    times = sorted(ms for _, ms in answers)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(fmt_table([[str(len(answers)), str(len(ok)),
                      str(sum(s == 503 for s, _ in answers)),
                      str(sum(s not in (200, 503) for s, _ in answers)),
                      f"{statistics.median(times):.1f}", f"{p99:.1f}", f"{times[-1]:.1f}",
                      f"{sum(ms > 2000 for ms in times)}"]],
                    ["device asks", "200", "503", "no answer", "p50 ms", "p99 ms", "max ms",
                     "over 2 s"]))
    print()
    held = sorted(flood.lives)
    print(fmt_table([[str(flood.made), str(flood.refused_at_once),
                      f"{statistics.median(held):.1f}" if held else "-",
                      f"{held[-1]:.1f}" if held else "-", f"{rss:.0f}"]],
                    ["flood connections made", "closed within 1 s", "median life s",
                     "max life s", "server RSS MiB"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
