"""Approvals: from the answer (what a press of the dial sends) to `claude-carthing hook --approve`
printing its decision, against a real `serve` on loopback. Goal: p99 at most 1 s.

Each round starts the real hook with a PermissionRequest, waits until the request is pending,
then posts the answer as the server's own page would and times until the hook's stdout has the
decision line. Loopback, not the emulated USB link: the link adds its own round trip (see
docs/performance.md)."""

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
from pathlib import Path

from common import LOOPBACK, fmt_table, free_port, isolated_env, machine, spawn

REQUEST = json.dumps({"session_id": "bench-1", "cwd": "/home/u/shop", "hook_event_name":
                      "PermissionRequest", "permission_mode": "default", "tool_name": "Bash",
                      "tool_input": {"command": "npm test", "description": "Run tests"}})


def post(url: str, body: dict[str, object], origin: str) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def one_round(exe: str, env: dict[str, str], base: str, key: str, decision: str) -> float:
    hook = subprocess.Popen([exe, "hook", "--approve"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert hook.stdin is not None and hook.stdout is not None
    hook.stdin.write(REQUEST.encode())
    hook.stdin.close()
    end = time.monotonic() + 20
    pending: list[dict[str, object]] = []
    while not pending and time.monotonic() < end:
        pending = list(post(base + "/api/approvals/pending", {"secret": key}, base)["requests"])
        if not pending:
            time.sleep(0.02)
    start = time.perf_counter()
    post(base + "/api/approvals/answer", {"secret": key, "id": pending[0]["id"],
                                          "decision": decision}, base)
    select.select([hook.stdout], [], [], 10)
    line = hook.stdout.readline()
    took = time.perf_counter() - start
    hook.wait(10)
    want = '"behavior":"allow"' if decision == "allow" else '"behavior":"deny"'
    if want.encode() not in line:
        raise SystemExit(f"the hook printed {line!r}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="10 runs")
    args = parser.parse_args()
    runs = 10 if args.quick else args.runs
    exe = str(Path(sys.executable).with_name("claude-carthing"))
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="cc-bench-ap-") as tmp:
        env = isolated_env(Path(tmp))
        port = free_port()
        with spawn([exe, "serve", "--host", LOOPBACK, "--port", str(port)], env, port):
            base = f"http://{LOOPBACK}:{port}"
            key = str(post(base + "/api/approvals/secret", {}, base)["secret"])
            times = [one_round(exe, env, base, key, "allow" if i % 2 == 0 else "deny")
                     for i in range(runs)]
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    rows = [[str(runs), f"{statistics.median(times) * 1000:.0f}", f"{p99 * 1000:.0f}",
             f"{times[-1] * 1000:.0f}", "yes" if p99 <= 1.0 else "NO"]]
    print(fmt_table(rows, ["rounds", "median ms", "p99 ms", "max ms", "p99 <= 1 s"]))
    return 0 if p99 <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
