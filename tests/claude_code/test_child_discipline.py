"""How the `claude` child is run, at the edges a one-line change would break: one child at a
time (seen for certain, not by timing luck), a hung child ends the read within the timeout plus
a small grace, and a wrapper that answers and exits leaves no grandchild behind.

The stand-in is a real executable speaking the stream-json control protocol. Each start
registers itself in a folder of running children and, before answering, waits for a second
child to show up: with the one-child rule broken, the overlap is then recorded every time.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from claude_carthing.claude_code import get_usage
from claude_carthing.claude_code.get_usage import ClaudeCodeReader
from claude_carthing.errors import CarthingError
from tests.support.fake_claude import FIXTURES, alive

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the stand-in is a POSIX script")

STAND_IN = r'''#!{python}
import json, os, subprocess, sys, time
HERE = {folder!r}
MODE = {mode!r}
running = os.path.join(HERE, "running")
me = os.path.join(running, str(os.getpid()))
open(me, "w").close()
def others():
    return [n for n in os.listdir(running) if n != str(os.getpid())]
def note(**extra):
    with open(os.path.join(HERE, "calls.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(dict(pid=os.getpid(), **extra)) + "\n")
try:
    if MODE == "hang":
        note()
        time.sleep(3600)
    line = sys.stdin.readline()
    rid = json.loads(line)["request_id"]
    seen = bool(others())
    if MODE == "rendezvous":  # wait for company: a second child now is an overlap for certain
        until = time.monotonic() + 1.5
        while not seen and time.monotonic() < until:
            time.sleep(0.02)
            seen = bool(others())
    grandchild = None
    if MODE == "wrapper_answers":  # a launcher that starts `node`, which outlives it
        grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"],
                                      stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL).pid
    with open(os.path.join(HERE, "answer.json"), encoding="utf-8") as f:
        inner = json.load(f)
    note(overlap=seen, grandchild=grandchild)
    sys.stdout.write(json.dumps({{"type": "control_response", "response": {{
        "subtype": "success", "request_id": rid, "response": inner}}}}) + "\n")
    sys.stdout.flush()
    if MODE != "wrapper_answers":
        sys.stdin.read()
finally:
    os.remove(me)
'''


class StandIn:
    def __init__(self, folder: Path, mode: str) -> None:
        self.folder = folder
        (folder / "running").mkdir(parents=True)
        (folder / "answer.json").write_text((FIXTURES / "usage.json").read_text("utf-8"),
                                            encoding="utf-8")
        self.path = folder / "claude"
        self.path.write_text(STAND_IN.format(python=sys.executable, folder=str(folder),
                                             mode=mode), encoding="utf-8")
        self.path.chmod(0o755)

    def calls(self) -> list[dict]:
        log = self.folder / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text("utf-8").splitlines()]

    def wait_for_calls(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.calls()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.calls()


def test_never_two_children_at_once_seen_without_a_race(tmp_path: Path) -> None:
    stand_in = StandIn(tmp_path / "claude", "rendezvous")
    errors: list[BaseException] = []

    def read() -> None:
        try:
            ClaudeCodeReader(str(stand_in.path), timeout=30.0).read()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    calls = stand_in.calls()
    assert len(calls) == 3
    assert [call["overlap"] for call in calls] == [False, False, False]


def test_a_hung_child_ends_the_read_within_the_timeout_and_a_small_grace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_usage, "EXIT_GRACE_S", 0.5)
    stand_in = StandIn(tmp_path / "claude", "hang")
    reader = ClaudeCodeReader(str(stand_in.path), timeout=2.0)
    started = time.monotonic()
    with pytest.raises(CarthingError, match="did not answer within 2 s"):
        reader.read()
    took = time.monotonic() - started
    assert 2.0 <= took < 2.0 + 0.5 + 1.5, took  # timeout, the grace, and room for a slow CI
    (call,) = stand_in.calls()
    deadline = time.monotonic() + 5
    while alive(call["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(call["pid"])


def test_a_wrapper_that_answers_and_exits_leaves_no_grandchild(tmp_path: Path) -> None:
    stand_in = StandIn(tmp_path / "claude", "wrapper_answers")
    usage, _ = ClaudeCodeReader(str(stand_in.path), timeout=20.0).read()
    assert usage.windows
    (call,) = stand_in.calls()
    grandchild = call["grandchild"]
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = alive(grandchild)
    if left:  # end it here, so a failure leaves nothing running
        os.kill(grandchild, 9)
    assert not left, "the wrapper's child outlived the read"
    assert not alive(call["pid"])
