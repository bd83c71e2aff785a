"""Connection flood: 300 idle + 50 slowloris connections held against `serve --demo`, while the
device asks /health from another address.

The flood comes from 127.0.0.1 and keeps its connections open, opening a new one whenever the
server closes one (as an attacker would); the device is 127.0.0.2, another loopback address,
which plays the Car Thing on its own address. Prints the device's answers (statuses, p50/p99/max
latency) and what happened to the flood's connections. The run lasts past the server's 10 s
request deadline, so a whole wave of slowloris connections is cut off and replaced while the
device is asked. A flood from an address outside the allow-list is refused even earlier; that
needs network namespaces and is checked in tests/resilience/test_flood.py.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import threading
import time

from common import fmt_table, machine, our_server

FLOOD_FROM, DEVICE = "127.0.0.1", "127.0.0.2"


class Flood:
    """Holds `idle` silent and `slow` trickling connections, replacing the ones closed."""

    def __init__(self, port: int, idle: int, slow: int) -> None:
        self.port = port
        self.slots: list[list[object]] = [[None, 0.0, i >= idle] for i in range(idle + slow)]
        self.made = 0
        self.refused_at_once = 0  # closed (or refused) within 1 s of opening
        self.lives: list[float] = []
        self.stop = threading.Event()

    def connect(self, slow: bool) -> socket.socket | None:
        self.made += 1
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5,
                                            source_address=(FLOOD_FROM, 0))
        except OSError:
            self.refused_at_once += 1
            return None
        sock.setblocking(False)
        if slow:
            with contextlib.suppress(OSError):
                sock.send(b"GET /usage HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    def run(self) -> None:
        """Keep the flood up until stopped."""
        for slot in self.slots:
            slot[0], slot[1] = self.connect(bool(slot[2])), time.monotonic()
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
        sock, opened, slow = slot
        gone = sock is None
        if isinstance(sock, socket.socket):
            try:
                gone = sock.recv(4096) == b""
            except BlockingIOError:
                if slow:
                    try:
                        sock.send(b"X-%d: a\r\n" % n)
                    except OSError:
                        gone = True
            except OSError:
                gone = True
        if gone:
            if isinstance(sock, socket.socket):
                sock.close()
                life = time.monotonic() - float(str(opened))
                self.lives.append(life)
                self.refused_at_once += life < 1.0
            slot[0], slot[1] = self.connect(bool(slow)), time.monotonic()


def device_get(port: int) -> tuple[int, float]:
    """One /health from the device's address on a fresh connection: (status, ms)."""
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10,
                                      source_address=(DEVICE, 0)) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Connection: close\r\n\r\n")
            head = sock.recv(64)
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    except OSError:
        status = 0
    return status, (time.perf_counter() - start) * 1000


def main() -> int:
    """Run the flood, ask as the device meanwhile, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=25.0, help="flood time")
    parser.add_argument("--idle", type=int, default=300, help="idle connections")
    parser.add_argument("--slow", type=int, default=50, help="slowloris connections")
    parser.add_argument("--quick", action="store_true", help="6 s smoke run")
    args = parser.parse_args()
    seconds = 6.0 if args.quick else args.seconds
    print(f"machine: {machine()}")
    print(f"flood: {args.idle} idle + {args.slow} slowloris from {FLOOD_FROM}, held for "
          f"{seconds:.0f} s; device /health from {DEVICE} every 0.25 s\n")
    with our_server() as server:
        flood = Flood(server.port, args.idle, args.slow)
        thread = threading.Thread(target=flood.run, daemon=True)
        thread.start()
        time.sleep(1.0)  # the flood is up
        answers = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            answers.append(device_get(server.port))
            time.sleep(0.25)
        flood.stop.set()
        thread.join(10)
        rss = server.proc.memory_info().rss / 2**20
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
