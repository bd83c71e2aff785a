"""Server load: keep-alive clients against /usage, / and /health, ours vs a Flask stand-in.

Runs `python -m claude_carthing serve --demo` and bench/flask_standin.py (the same JSON bytes,
`app.run(threaded=True)` as the original project) as child processes on 127.0.0.1, drives each
with the same asyncio load generator for a fixed time per path, and prints requests/s, p50/p99
latency, errors and the server's CPU time per 1,000 requests (psutil), then the ratios.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    LoadResult,
    ServerProcess,
    fetch,
    fmt_table,
    free_port,
    isolated_env,
    machine,
    our_server,
    run_load,
    spawn,
)

PATHS = ("/usage", "/", "/health")


def measure(server: ServerProcess, path: str, clients: int, seconds: float) -> tuple[LoadResult,
                                                                                     float]:
    """Warm up briefly, then load one path; return the result and server CPU ms / 1,000 req."""
    run_load(server.port, [path], clients=clients, seconds=min(1.0, seconds / 5))
    cpu0 = server.cpu_seconds()
    result = run_load(server.port, [path], clients=clients, seconds=seconds)
    cpu = server.cpu_seconds() - cpu0
    per_k = cpu / result.requests * 1000 * 1000 if result.requests else float("nan")
    return result, per_k


def row(name: str, path: str, result: LoadResult, per_k: float, rss_mib: float) -> list[str]:
    """Format one table row."""
    return [name, path, f"{result.rps:,.0f}", f"{result.percentile(50):.1f}",
            f"{result.percentile(99):.1f}", str(result.errors), f"{per_k:.0f}",
            f"{rss_mib:.0f}"]


def main() -> int:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="load time per path/server")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--quick", action="store_true", help="3 s per path (smoke run)")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    print(f"machine: {machine()}")
    print(f"load: {args.clients} keep-alive connections, {seconds:.0f} s per path, "
          f"load generator in this process (asyncio)\n")
    results: dict[tuple[str, str], tuple[LoadResult, float]] = {}
    rows: list[list[str]] = []
    with our_server() as ours:
        usage = fetch(ours.url + "/usage")
        health = fetch(ours.url + "/health")
        for path in PATHS:
            res, per_k = measure(ours, path, args.clients, seconds)
            results[("ours", path)] = (res, per_k)
            rows.append(row("claude-carthing", path, res, per_k,
                            ours.proc.memory_info().rss / 2**20))
    with tempfile.TemporaryDirectory(prefix="cc-bench-flask-") as tmp:
        usage_file, health_file = Path(tmp) / "usage.json", Path(tmp) / "health.json"
        usage_file.write_bytes(usage)
        health_file.write_bytes(health)
        port = free_port()
        cmd = [sys.executable, str(ROOT / "bench" / "flask_standin.py"), str(port),
               str(usage_file), str(health_file)]
        with spawn(cmd, isolated_env(Path(tmp)), port) as flask:
            assert fetch(flask.url + "/usage") == usage
            for path in PATHS:
                res, per_k = measure(flask, path, args.clients, seconds)
                results[("flask", path)] = (res, per_k)
                rows.append(row("Flask dev server", path, res, per_k,
                                flask.proc.memory_info().rss / 2**20))
    print(fmt_table(rows, ["server", "path", "req/s", "p50 ms", "p99 ms", "errors",
                           "CPU ms/1k req", "RSS MiB"]))
    print()
    ratio_rows = []
    for path in PATHS:
        ours_r, ours_cpu = results[("ours", path)]
        flask_r, flask_cpu = results[("flask", path)]
        ratio_rows.append([
            path,
            f"{ours_r.rps / flask_r.rps:.2f}x" if flask_r.rps else "n/a",
            f"{flask_r.percentile(99) / ours_r.percentile(99):.2f}x",
            f"{flask_cpu / ours_cpu:.2f}x",
        ])
    print(fmt_table(ratio_rows, ["path", "throughput ours/Flask", "p99 Flask/ours",
                                 "CPU per request Flask/ours"]))
    print(f"\nresponse size: /usage {len(usage)} bytes, /health {len(health)} bytes; "
          f"bench took {time.process_time():.0f} s of client CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
