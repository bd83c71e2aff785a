"""Claude Code's hot commands: wall time of `claude-carthing statusline` and `hook` beside a bare
`python -c pass`, measured side by side (interleaved) in the same run, against a real running
server; and the worst case with the server down or hung (goal: never more than 1 s)."""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LOOPBACK, fmt_table, free_port, isolated_env, machine, spawn

READING = json.dumps({
    "session_id": "bench-1", "cwd": "/home/u/project", "workspace": {"project_dir": "/home/u/p"},
    "model": {"id": "claude-opus-4-5", "display_name": "Opus 4.5"},
    "context_window": {"used_percentage": 42},
    "rate_limits": {"five_hour": {"used_percentage": 37.2, "resets_at": time.time() + 9000},
                    "seven_day": {"used_percentage": 64, "resets_at": time.time() + 99000}}})
EVENT = json.dumps({"hook_event_name": "UserPromptSubmit", "session_id": "bench-1",
                    "cwd": "/home/u/project", "prompt": "hello"})


def executable() -> str:
    """Return the installed console script (the hot commands' real entry point)."""
    script = Path(sys.executable).with_name("claude-carthing")
    found = str(script) if script.exists() else shutil.which("claude-carthing")
    if not found:
        raise SystemExit("install the package first (pip install -e .)")
    return found


def wall(argv: list[str], stdin: str, env: dict[str, str]) -> float:
    """Return the wall seconds of one run."""
    start = time.perf_counter()
    subprocess.run(argv, input=stdin.encode(), env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="10 runs each")
    args = parser.parse_args()
    runs = 10 if args.quick else args.runs
    exe = executable()
    # pip compiles a wheel's modules as it installs; an editable checkout may hold stale .pyc
    # files (PYTHONDONTWRITEBYTECODE), which would time the compiler instead of the command.
    package = Path(__file__).resolve().parent.parent / "src" / "claude_carthing"
    compileall.compile_dir(str(package), quiet=1)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="cc-bench-sl-") as tmp:
        env = isolated_env(Path(tmp))
        closed = f"http://{LOOPBACK}:{free_port()}"  # the poller never reaches the real Claude
        env["CLAUDE_CARTHING_API_URL"] = env["CLAUDE_CARTHING_WEB_URL"] = closed
        port = free_port()
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], ""),
            "statusline": ([exe, "statusline"], READING),
            "hook": ([exe, "hook"], EVENT),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        with spawn([exe, "serve", "--host", LOOPBACK, "--port", str(port)], env, port):
            for argv, stdin in cases.values():
                wall(argv, stdin, env)  # warm the file cache and the .pyc files
            for _ in range(runs):
                for name, (argv, stdin) in cases.items():
                    times[name].append(wall(argv, stdin, env))
        home = env["CLAUDE_CARTHING_HOME"]
        Path(home, "server.json").write_text(json.dumps({"host": LOOPBACK, "port": port}))
        worst: dict[str, float] = {}
        worst["statusline, server down"] = max(
            wall([exe, "statusline"], READING, env) for _ in range(5))
        with socket.socket() as hung:
            hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            hung.bind((LOOPBACK, port))
            hung.listen(16)  # accepts, never answers
            worst["statusline, server hung"] = max(
                wall([exe, "statusline"], READING, env) for _ in range(5))
            worst["hook, server hung"] = max(wall([exe, "hook"], EVENT, env) for _ in range(5))
    base = statistics.median(times["python -c pass"])
    rows = [[name, str(len(t)), f"{statistics.median(t) * 1000:.0f}",
             f"{statistics.median(t) / base:.2f}x", f"{max(t) * 1000:.0f}"]
            for name, t in times.items()]
    print(f"\nServer up, {runs} interleaved runs each (goal: median at most 2x python -c pass)\n")
    print(fmt_table(rows, ["command", "runs", "median ms", "vs python -c pass", "max ms"]))
    print("\nServer down or hung, worst of 5 (goal: never more than 1000 ms)\n")
    print(fmt_table([[n, f"{w * 1000:.0f}"] for n, w in worst.items()], ["case", "max ms"]))
    ok = all(statistics.median(times[n]) <= 2 * base for n in ("statusline", "hook")) and \
        all(w < 1.0 for w in worst.values())
    print("\ngoals met" if ok else "\nGOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
