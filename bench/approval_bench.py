"""Approvals: from the answer (what a press of the dial sends) to `claude-carthing hook --approve`
printing its decision, against a real `serve`. Goal: p99 at most 1 s.

Each round starts the real hook with a PermissionRequest, waits until the request is pending,
then posts the answer and times until the hook's stdout has the decision line.

- default: on loopback, answered as the server's own page would;
- `--usb-link` (Linux, root): over the emulated USB link, a pair of network namespaces made
  for the run and removed after it (nothing in the root namespace): `serve` on its default
  address and the hook in the PC's namespace, the answer sent from the Car Thing's address
  (172.16.42.2) with its `file://` origin and the secret `deploy` gives the kiosk."""

from __future__ import annotations

import argparse
import json
import select
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from common import LOOPBACK, fmt_table, free_port, isolated_env, machine, spawn

T = TypeVar("T")
LINK_PORT = 8080  # the default port, inside the link's own namespace
REQUEST = json.dumps({"session_id": "bench-1", "cwd": "/home/u/shop", "hook_event_name":
                      "PermissionRequest", "permission_mode": "default", "tool_name": "Bash",
                      "tool_input": {"command": "npm test", "description": "Run tests"}})


def post(url: str, body: dict[str, object], origin: str) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


class Loopback:
    """The hook on this machine; the answer from the server's own page on loopback."""

    def __init__(self, env: dict[str, str], base: str) -> None:
        self.env, self.base, self.origin = env, base, base
        self.key = str(post(base + "/api/approvals/secret", {}, base)["secret"])

    def hook(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=self.env)

    def device(self, action: Callable[[], T]) -> T:
        return action()


class OverTheLink(Loopback):
    """The hook in the PC's namespace; the answer from the Car Thing's side of the link."""

    def __init__(self, env: dict[str, str], base: str, link: Any, key: str) -> None:
        self.env, self.base, self.origin, self.link, self.key = env, base, "file://", link, key

    def hook(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return cast("subprocess.Popen[bytes]", self.link.popen(
            "pc", argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=self.env))

    def device(self, action: Callable[[], T]) -> T:
        from tests.support.netns import in_netns

        return in_netns(self.link.device_ns, action)


def one_round(exe: str, side: Loopback, decision: str) -> float:
    base, key = side.base, side.key
    hook = side.hook([exe, "hook", "--approve"])
    assert hook.stdin is not None and hook.stdout is not None
    hook.stdin.write(REQUEST.encode())
    hook.stdin.close()
    end = time.monotonic() + 20
    pending: list[dict[str, object]] = []
    while not pending and time.monotonic() < end:
        pending = list(side.device(lambda: post(base + "/api/approvals/pending",
                                                {"secret": key}, side.origin))["requests"])
        if not pending:
            time.sleep(0.02)
    started: list[float] = []

    def press() -> None:  # timed from the moment the device sends it
        started.append(time.perf_counter())
        post(base + "/api/approvals/answer", {"secret": key, "id": pending[0]["id"],
                                              "decision": decision}, side.origin)

    side.device(press)
    start = started[0]
    select.select([hook.stdout], [], [], 10)
    line = hook.stdout.readline()
    took = time.perf_counter() - start
    hook.wait(10)
    want = '"behavior":"allow"' if decision == "allow" else '"behavior":"deny"'
    if want.encode() not in line:
        raise SystemExit(f"the hook printed {line!r}")
    return took


def over_the_link(exe: str, env: dict[str, str], runs: int) -> list[float]:
    """Run the rounds over a USB link made for the run (removed afterwards)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.netns import V3_LINK, in_netns, usb_link

    with usb_link(*V3_LINK, tag="B") as link:
        server = link.popen("pc", [exe, "serve", "--port", str(LINK_PORT)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://{link.pc_ip}:{LINK_PORT}"
        end = time.monotonic() + 30
        while True:
            try:
                in_netns(link.device_ns, lambda: urllib.request.urlopen(base + "/health",
                                                                        timeout=1).close())
                break
            except OSError:
                if time.monotonic() > end or server.poll() is not None:
                    raise SystemExit("serve did not answer over the link") from None
                time.sleep(0.1)
        key = (Path(env["CLAUDE_CARTHING_HOME"]) / "approval-secret").read_text().strip()
        side = OverTheLink(env, base, link, key)
        return [one_round(exe, side, "allow" if i % 2 == 0 else "deny") for i in range(runs)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="10 runs")
    parser.add_argument("--usb-link", action="store_true",
                        help="over the emulated USB link (Linux, root: network namespaces)")
    args = parser.parse_args()
    runs = 10 if args.quick else args.runs
    exe = str(Path(sys.executable).with_name("claude-carthing"))
    print(f"machine: {machine()}")
    print("path: " + ("the emulated USB link (172.16.42.2 -> 172.16.42.1, veth in namespaces)"
                      if args.usb_link else "loopback"))
    with tempfile.TemporaryDirectory(prefix="cc-bench-ap-") as tmp:
        env = isolated_env(Path(tmp))
        if args.usb_link:
            times = over_the_link(exe, env, runs)
        else:
            port = free_port()
            with spawn([exe, "serve", "--host", LOOPBACK, "--port", str(port)], env, port):
                side = Loopback(env, f"http://{LOOPBACK}:{port}")
                times = [one_round(exe, side, "allow" if i % 2 == 0 else "deny")
                         for i in range(runs)]
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    rows = [[str(runs), f"{statistics.median(times) * 1000:.0f}", f"{p99 * 1000:.0f}",
             f"{times[-1] * 1000:.0f}", "yes" if p99 <= 1.0 else "NO"]]
    print(fmt_table(rows, ["rounds", "median ms", "p99 ms", "max ms", "p99 <= 1 s"]))
    return 0 if p99 <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
