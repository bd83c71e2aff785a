"""Start-up: wall time of `claude-carthing --version`, and of `serve` until /health answers."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LOOPBACK, fmt_table, free_port, isolated_env, machine, spawn


def cli() -> list[str]:
    """Return the installed console script, else `python -m claude_carthing`."""
    script = shutil.which("claude-carthing")
    return [script] if script else [sys.executable, "-m", "claude_carthing"]


def time_version(runs: int, env: dict[str, str]) -> list[float]:
    """Return wall seconds of each `claude-carthing --version` run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*cli(), "--version"], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def time_serve(runs: int, home: Path) -> list[float]:
    """Return wall seconds from launching `serve --demo` until /health answers 200."""
    times = []
    for n in range(runs):
        port = free_port()
        cmd = [*cli(), "serve", "--demo", "--host", LOOPBACK, "--port", str(port)]
        start = time.perf_counter()
        with spawn(cmd, isolated_env(home / str(n)), port):
            times.append(time.perf_counter() - start)
    return times


def summary(name: str, times: list[float]) -> list[str]:
    """Format one row: median, min, max in milliseconds."""
    return [name, str(len(times)), f"{statistics.median(times) * 1000:.0f}",
            f"{min(times) * 1000:.0f}", f"{max(times) * 1000:.0f}"]


def main() -> int:
    """Time both and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 runs each")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    with tempfile.TemporaryDirectory(prefix="cc-bench-start-") as tmp:
        env = isolated_env(Path(tmp))
        time_version(1, env)  # warm the OS file cache and the .pyc files
        version = time_version(runs, env)
        baseline = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            baseline.append(time.perf_counter() - start)
        serve = time_serve(runs, Path(tmp))
    print(f"machine: {machine()}")
    print(f"command: {' '.join(Path(c).name for c in cli())}\n")
    print(fmt_table([summary("python -c pass (interpreter alone)", baseline),
                     summary("claude-carthing --version", version),
                     summary("serve --demo until /health answers", serve)],
                    ["what", "runs", "median ms", "min ms", "max ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
