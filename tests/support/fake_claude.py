"""A real executable `claude` that speaks Claude Code's stream-json control protocol.

`FakeClaude(folder).install()` writes the script `claude` into `folder` (a test's tmp dir, put
on PATH by the test). What it plays is read from `mode.json` at each start, so a test switches
answers between reads. Every start is recorded (argv, environment, pid, first stdin line) in
`calls.jsonl`, so tests can assert the clean environment and the exact command line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "claude_code"

MODES = ("ok", "setup_token", "logged_out", "garbage", "crash", "hang", "error", "no_exit",
         "wrapper_hang", "chatty", "slow")

SCRIPT = r'''#!{python}
"""Fake Claude Code for claude-carthing's tests (plays {folder}/mode.json)."""
import json, os, subprocess, sys, time
HERE = {folder!r}
REQUIRED = ["-p", "--input-format", "stream-json", "--output-format", "stream-json",
            "--verbose", "--strict-mcp-config", "--disable-slash-commands"]
with open(os.path.join(HERE, "mode.json"), encoding="utf-8") as f:
    play = json.load(f)
mode = play["mode"]
marker = os.path.join(HERE, "running")
record = {{"argv": sys.argv[1:], "env": dict(os.environ), "pid": os.getpid(), "cwd": os.getcwd(),
          "overlap": os.path.exists(marker)}}
open(marker, "w").close()
import atexit
atexit.register(lambda: os.path.exists(marker) and os.remove(marker))
def log(extra):
    record.update(extra)
    with open(os.path.join(HERE, "calls.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
def say(obj):
    sys.stdout.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    sys.stdout.flush()
if sys.argv[1:] != REQUIRED:
    log({{"refused": True}})
    sys.stderr.write("error: unknown option\n")
    sys.exit(2)
if mode == "crash":
    log({{}})
    sys.stderr.write("Segmentation fault (pretend)\n")
    sys.exit(3)
if mode == "hang":
    log({{}})
    time.sleep(3600)
if mode == "wrapper_hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    log({{"grandchild": child.pid}})
    time.sleep(3600)
# Like the real one: each start rewrites .claude.json in its config folder.
config = os.environ.get("CLAUDE_CONFIG_DIR")
if config and os.path.isdir(config):
    with open(os.path.join(config, ".claude.json"), "a", encoding="utf-8") as f:
        f.write("{{}}\n")
line = sys.stdin.readline()
log({{"stdin": line}})
request = json.loads(line)
rid = request["request_id"]
assert request["type"] == "control_request" and request["request"]["subtype"] == "get_usage"
if mode == "garbage":
    say("Welcome to Claude Code!")
    say("{{not json")
    sys.exit(0)
if mode == "error":
    say({{"type": "control_response", "response": {{"subtype": "error", "request_id": rid,
        "error": "Unsupported control request subtype: get_usage (login sk-ant-oat01-FAKE-canary-"
                 "echoed-0000)"}}}})
    sys.stdin.read()
    sys.exit(0)
with open(os.path.join(HERE, "answer.json"), encoding="utf-8") as f:
    inner = json.load(f)
# Like the real one: an inherited token or API key hides the subscription's limits.
if any(k == "CLAUDE_CODE_OAUTH_TOKEN" or k.startswith("ANTHROPIC_") for k in os.environ):
    inner = dict(inner, rate_limits=None)
if mode == "slow":
    time.sleep(0.4)
if mode == "chatty":
    say({{"type": "system", "subtype": "init", "session_id": "fake"}})
    say({{"type": "control_response", "response": {{"subtype": "success",
        "request_id": "someone-else", "response": {{}}}}}})
say({{"type": "control_response", "response": {{"subtype": "success", "request_id": rid,
    "response": inner}}}})
if mode == "no_exit":
    time.sleep(3600)
sys.stdin.read()
sys.exit(0)
'''


class FakeClaude:
    """The fake `claude` in a folder: install it, choose what it plays, read what it saw."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / ("claude.cmd" if os.name == "nt" else "claude")

    def install(self, mode: str = "ok", answer: str | dict[str, Any] = "usage") -> FakeClaude:
        """Write the executable script and what it should play; return self."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = SCRIPT.format(python=sys.executable, folder=str(self.folder))
        self.path.write_text(text, encoding="utf-8")
        self.path.chmod(0o755)
        self.play(mode, answer)
        return self

    def play(self, mode: str, answer: str | dict[str, Any] = "usage") -> None:
        """Choose the behaviour (one of MODES) and the inner answer (fixture name or object)."""
        assert mode in MODES, mode
        inner = answer if isinstance(answer, dict) else json.loads(
            (FIXTURES / f"{answer}.json").read_text(encoding="utf-8"))
        (self.folder / "answer.json").write_text(json.dumps(inner), encoding="utf-8")
        (self.folder / "mode.json").write_text(json.dumps({"mode": mode}), encoding="utf-8")

    def calls(self) -> list[dict[str, Any]]:
        """Return every recorded start, oldest first."""
        log = self.folder / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    def wait_for_calls(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Wait until at least `count` starts are recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls()
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"the fake claude started {len(self.calls())} times, not {count}")


def alive(pid: int) -> bool:
    """Return True while a process with this pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(*pids: int, seconds: float = 5.0) -> None:
    """Wait up to `seconds` for each process to be gone (reaped); assert that it is."""
    for pid in pids:
        deadline = time.monotonic() + seconds
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), f"process {pid} is still running"


# Streams JSON lines (and one line far longer than any answer) as fast as the pipe takes them,
# from a launcher and its child, as a wrapper script and node would; never answers.
FLOOD = r'''#!{python}
import json, os, subprocess, sys
sys.stdin.readline()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
with open({record!r}, "w") as f:
    json.dump({{"pid": os.getpid(), "grandchild": child.pid}}, f)
out = sys.stdout.buffer
out.write(b"x" * (8 * 1024 * 1024) + b"\n")
line = (json.dumps({{"type": "stream_event", "text": "y" * 60000}}) + "\n").encode()
while True:
    out.write(line)
'''
