"""A `claude` that never stops printing: the read still ends at its deadline, in bounded memory,
and the child's whole tree is gone afterwards."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from claude_carthing.claude_code.get_usage import ClaudeCodeError, ClaudeCodeReader
from tests.support.fake_claude import FLOOD, alive, wait_gone

DEADLINE_S = 3.0
GRACE_S = 3.0
MEMORY_BOUND = 150 * 1024 * 1024  # bytes of growth; the queue and one read are far less


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX script stands in for claude")
def test_a_claude_that_never_stops_printing_ends_at_the_deadline_in_bounded_memory(
        tmp_path: Path) -> None:
    record = tmp_path / "pids.json"
    stand_in = tmp_path / "claude"
    stand_in.write_text(FLOOD.format(python=sys.executable, record=str(record)),
                        encoding="utf-8")
    stand_in.chmod(0o755)
    reader = ClaudeCodeReader(str(stand_in), timeout=DEADLINE_S)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            reader.read()
        except BaseException as exc:
            outcome.append(exc)

    me = psutil.Process()
    baseline = me.memory_info().rss
    peak = baseline
    thread = threading.Thread(target=read, daemon=True)
    started = time.monotonic()
    thread.start()
    # Watch memory while it reads; stop a runaway read rather than exhaust the machine.
    while thread.is_alive() and time.monotonic() - started < DEADLINE_S + 15:
        peak = max(peak, me.memory_info().rss)
        if peak - baseline > MEMORY_BOUND:
            reader.interrupt()
            break
        time.sleep(0.02)
    if thread.is_alive():
        reader.interrupt()
    thread.join(10)
    took = time.monotonic() - started
    pids = json.loads(record.read_text(encoding="utf-8"))
    try:
        assert peak - baseline <= MEMORY_BOUND, f"grew by {(peak - baseline) >> 20} MiB"
        assert took <= DEADLINE_S + GRACE_S, f"the read took {took:.1f} s"
        assert isinstance(outcome[0], ClaudeCodeError)
        assert f"did not answer within {DEADLINE_S:.0f} s" in str(outcome[0])
        wait_gone(pids["pid"], pids["grandchild"], seconds=5)
    finally:
        for pid in pids.values():
            if alive(pid):
                os.kill(pid, 9)
