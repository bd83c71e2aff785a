"""Route C: ask the installed Claude Code for its usage (its stream-json `get_usage` request).

No prompt is sent, so no tokens are spent, and Claude Code uses and refreshes its own login: we
never touch a token. One child at a time, a clean environment, a deadline, always reaped.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import platform
import queue
import subprocess
import threading
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from claude_carthing import errors, paths
from claude_carthing.account_scope import current, login_command
from claude_carthing.children import kill_tree, popen_options, without_secrets
from claude_carthing.claude_code.locate import find_claude
from claude_carthing.logs import redact
from claude_carthing.models import Plan, Usage
from claude_carthing.plans import from_type
from claude_carthing.upstream.wire import parse_usage

log = logging.getLogger(__name__)

ARGS = ("-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--strict-mcp-config", "--disable-slash-commands")
REQUEST_ID = "carthing-usage"
REQUEST = {"type": "control_request", "request_id": REQUEST_ID,
           "request": {"subtype": "get_usage"}}
TIMEOUT_S = 60.0  # the first start of Claude Code is slow
EXIT_GRACE_S = 5.0
MAX_READ = 1024 * 1024  # bytes per read: a usage answer is a few KiB
MAX_QUEUED = 16  # reads waiting for the reader: at most 16 MiB however fast the child prints
# An inherited token makes Claude Code answer `rate_limits: null`; an API key is not our login.
DROPPED_PREFIXES = ("ANTHROPIC_",)
NOT_FOUND = ("Claude Code (the `claude` command) was not found on this PC: install it, or set "
             "claude_path to where it is")


class ClaudeCodeError(errors.UpstreamError):
    """Claude Code could not give a usage reading (missing, hung, crashed, unreadable)."""

    kind = "claude_code"

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(message)
        self.request_sent = request_sent  # False: nothing ran, look again at the next poll


class ClaudeCodeLoginError(errors.AuthError):
    """Claude Code is not logged in, or its login cannot report usage limits."""


def clean_environment(env: Mapping[str, str]) -> dict[str, str]:
    """Return `env` without our secrets, Claude tokens and `ANTHROPIC_*` (Windows: any case),
    with the current account's Claude Code config folder (another account's is never passed on)."""
    clean = without_secrets(env, DROPPED_PREFIXES)
    account = current()
    if account.config_dir is not None:
        clean["CLAUDE_CONFIG_DIR"] = str(account.config_dir)
    elif not account.is_default:
        clean.pop("CLAUDE_CONFIG_DIR", None)
    return clean


_LIVE: weakref.WeakSet[subprocess.Popen[bytes]] = weakref.WeakSet()


@atexit.register
def _reap_all() -> None:
    """Never leave a child behind when the program exits mid-read."""
    for proc in list(_LIVE):
        kill_tree(proc)
        with contextlib.suppress(Exception):
            proc.wait(2)


def _neutral_dir() -> str:
    """Return where the child runs: our home folder, so no project's settings or hooks apply."""
    home = paths.home_dir()
    return str(home if home.is_dir() else Path.home())


def _pump(stream: IO[bytes], lines: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """Move the child's output lines to `lines` until it ends or `stop` is set."""
    def put(item: bytes | None) -> bool:
        while not stop.is_set():
            try:
                lines.put(item, timeout=0.2)
            except queue.Full:
                continue
            return True
        return False

    try:
        for line in iter(lambda: stream.readline(MAX_READ), b""):
            if not put(line):
                return
    except (OSError, ValueError):
        pass
    put(None)


class ClaudeCodeReader:
    """Runs `claude` once per read; never more than one child at a time, in any thread."""

    _one_child = threading.Lock()  # class-wide: one child per process

    def __init__(self, claude_path: str = "", timeout: float = TIMEOUT_S) -> None:
        self._claude_path = claude_path
        self._timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._interrupted = False

    def executable(self) -> Path | None:
        """Return the `claude` that would run (None when none is found)."""
        return find_claude(self._claude_path)

    def interrupt(self) -> None:
        """Kill a child that is running now (the server is stopping); safe from any thread."""
        self._interrupted = True
        proc = self._proc
        if proc is not None:
            kill_tree(proc)

    def read(self) -> tuple[Usage, Plan | None]:
        """Ask Claude Code for its usage; raise a `CarthingError` in words on any failure."""
        return parse_answer(self.ask())

    def ask(self) -> Any:
        """Run `claude`, send the request, and return the inner object of its answer."""
        exe = self.executable()
        if exe is None:
            where = f" at {self._claude_path}" if self._claude_path else ""
            message = NOT_FOUND if not where else f"Claude Code was not found{where} (claude_path)"
            raise ClaudeCodeError(message, request_sent=False)
        if not self._one_child.acquire(timeout=self._timeout):
            raise ClaudeCodeError("another Claude Code read is still running")
        try:
            self._interrupted = False
            return self._run(exe)
        finally:
            self._one_child.release()

    def _run(self, exe: Path) -> Any:
        try:
            proc = subprocess.Popen(
                [str(exe), *ARGS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env=clean_environment(os.environ), cwd=_neutral_dir(),
                **popen_options(platform.system()))
        except OSError as exc:
            raise ClaudeCodeError(f"cannot start Claude Code ({exe}): {exc.strerror or exc}",
                                  request_sent=False) from exc
        self._proc = proc
        _LIVE.add(proc)
        try:
            return self._converse(proc)
        finally:
            self._finish(proc)

    def _converse(self, proc: subprocess.Popen[bytes]) -> Any:
        if proc.stdin is None or proc.stdout is None:  # pragma: no cover - PIPE gives both
            raise ClaudeCodeError("cannot talk to Claude Code")
        # Bounded: a child that prints without end fills the queue, then waits on the pipe.
        lines: queue.Queue[bytes | None] = queue.Queue(MAX_QUEUED)
        stop = threading.Event()
        threading.Thread(target=_pump, args=(proc.stdout, lines, stop), daemon=True,
                         name="claude-code-stdout").start()
        try:
            with contextlib.suppress(OSError):  # a child that died at once is reported below
                proc.stdin.write((json.dumps(REQUEST) + "\n").encode())
                proc.stdin.flush()
            return self._answer(proc, lines)
        finally:
            stop.set()

    def _answer(self, proc: subprocess.Popen[bytes], lines: queue.Queue[bytes | None]) -> Any:
        deadline = time.monotonic() + self._timeout
        unreadable = 0
        while True:
            left = deadline - time.monotonic()  # on every line: a chatty child has a deadline too
            line: bytes | None = _LATE
            with contextlib.suppress(queue.Empty):
                line = lines.get(timeout=left) if left > 0 else _LATE
            if line is _LATE:
                kill_tree(proc)  # its whole tree, at once: it may not stop when stdin closes
                raise ClaudeCodeError(f"Claude Code did not answer within {self._timeout:.0f} s")
            if line is None:
                raise self._ended(proc, unreadable)
            answer = _control_response(line)
            if answer is _UNREADABLE:
                unreadable += 1
            elif answer is not None:
                return answer

    def _ended(self, proc: subprocess.Popen[bytes], unreadable: int) -> ClaudeCodeError:
        try:
            code = proc.wait(EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            code = None
        if self._interrupted:
            return ClaudeCodeError("the Claude Code read was stopped")
        if unreadable:
            return ClaudeCodeError("Claude Code answered with lines that are not JSON "
                                   "(an unexpected version?)")
        how = f"exited with code {code}" if code is not None else "closed its output"
        return ClaudeCodeError(f"Claude Code {how} without answering the usage request")

    def _finish(self, proc: subprocess.Popen[bytes]) -> None:
        """Close stdin (Claude Code then exits), wait briefly, else kill; always reap."""
        if proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.close()
        try:
            proc.wait(EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
        kill_tree(proc)  # its descendants too, should a wrapper have left any
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(EXIT_GRACE_S)
        if proc.stdout is not None:
            proc.stdout.close()
        self._proc = None
        _LIVE.discard(proc)


_UNREADABLE = object()
_LATE = b"late"  # compared by identity: no line came before the deadline


def _control_response(line: bytes) -> Any:
    """Return the inner answer of our control response, None for other lines, or _UNREADABLE."""
    text = line.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return _UNREADABLE
    if not isinstance(data, dict) or data.get("type") != "control_response":
        return None
    response = data.get("response")
    if not isinstance(response, dict) or response.get("request_id") != REQUEST_ID:
        return None
    if response.get("subtype") != "success":
        detail = redact(str(response.get("error") or "no reason given")[:200])
        raise ClaudeCodeError(f"Claude Code refused the usage request ({detail}); "
                              f"update Claude Code")
    return response.get("response")


def with_model_scoped(rate_limits: dict[str, Any]) -> dict[str, Any]:
    """Fold Claude Code's `model_scoped` list into `limits[]` as weekly scoped entries."""
    data = dict(rate_limits)
    scoped = data.pop("model_scoped", None)
    if not isinstance(scoped, list):
        return data
    limits = list(data.get("limits") or []) if isinstance(data.get("limits"), list) else []
    for entry in scoped:
        if isinstance(entry, dict) and entry.get("display_name"):
            limits.append({
                "kind": "weekly_scoped", "group": "weekly",
                "percent": entry.get("utilization"), "resets_at": entry.get("resets_at"),
                "scope": {"model": {"display_name": entry["display_name"]}, "surface": None}})
    data["limits"] = limits
    return data


def parse_answer(inner: Any) -> tuple[Usage, Plan | None]:
    """Turn the inner object of a `get_usage` answer into usage and plan, or raise in words."""
    if not isinstance(inner, dict):
        raise ClaudeCodeError("Claude Code's usage answer was not an object")
    subscription = inner.get("subscription_type")
    name = from_type(subscription) if isinstance(subscription, str) else None
    plan = Plan(name) if name else None
    if inner.get("rate_limits_available") is False:
        raise ClaudeCodeLoginError(
            "Claude Code's login cannot report usage limits (a `claude setup-token` token or "
            f"an API key): log in with `claude` itself, or use `{login_command()}`")
    rate_limits = inner.get("rate_limits")
    if rate_limits is None:
        if plan is None:
            raise ClaudeCodeLoginError(
                "Claude Code is not logged in on this PC: run `claude` once and log in")
        raise ClaudeCodeError("Claude Code answered without usage limits")
    if not isinstance(rate_limits, dict):
        raise ClaudeCodeError("Claude Code's usage limits were not in a known shape")
    return parse_usage(with_model_scoped(rate_limits)), plan
