"""A `claude` that never stops printing: how long a usage read takes and how much memory it
costs the server.

A stand-in `claude` (a launcher plus a child, as a wrapper script and node) streams JSON lines of
60 kB, and once a line of 8 MiB, as fast as the pipe takes them, and never answers. The real
`ClaudeCodeReader` reads it with `--timeout`; this prints the time the read took, the peak growth
of this process's RSS while it ran, and whether the child's tree was gone afterwards. A read that
runs past timeout + 30 s, or grows past 2 GiB, is stopped (and reported as such).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from common import fmt_table, machine
from tests.support.fake_claude import FLOOD

from claude_carthing.claude_code.get_usage import ClaudeCodeReader


def main() -> int:
    """Run one read against the stand-in and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=10.0, help="the read's deadline, s")
    parser.add_argument("--quick", action="store_true", help="a 3 s deadline")
    args = parser.parse_args()
    timeout = 3.0 if args.quick else args.timeout
    print(f"machine: {machine()}\n")
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        record = Path(tmp) / "pids.json"
        stand_in = Path(tmp) / "claude"
        stand_in.write_text(FLOOD.format(python=sys.executable, record=str(record)))
        stand_in.chmod(0o755)
        reader = ClaudeCodeReader(str(stand_in), timeout=timeout)
        outcome: list[str] = []

        def read() -> None:
            try:
                reader.read()
                outcome.append("answered")
            except Exception as exc:
                outcome.append(str(exc))

        me = psutil.Process()
        baseline = peak = me.memory_info().rss
        thread = threading.Thread(target=read, daemon=True)
        started = time.monotonic()
        thread.start()
        stopped = False
        while thread.is_alive():
            peak = max(peak, me.memory_info().rss)
            if time.monotonic() - started > timeout + 30 or peak - baseline > 2 * 2**30:
                reader.interrupt()
                stopped = True
                break
            time.sleep(0.02)
        thread.join(30)
        took = time.monotonic() - started
        time.sleep(1)
        pids = json.loads(record.read_text())
        left = [pid for pid in pids.values() if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        for pid in left:
            os.kill(pid, 9)
    print(fmt_table([[f"{timeout:.0f}", f"{took:.1f}", f"{(peak - baseline) / 2**20:.0f}",
                      "stopped by the bench" if stopped else (outcome or ["?"])[0],
                      str(len(left))]],
                    ["deadline s", "read took s", "peak RSS growth MiB", "outcome",
                     "processes left"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
