"""Run the user's hook command for an event: JSON on stdin, the essentials in the environment."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import subprocess
import tempfile
from collections.abc import Sequence
from typing import IO, Any

from claude_carthing.alerts.events import Event
from claude_carthing.children import kill_tree, popen_options, without_secrets

log = logging.getLogger(__name__)

OUTPUT_SHOWN = 300  # characters of a failing hook's output worth a log line


def hook_env(event: Event) -> dict[str, str]:
    """Return the variables a hook gets on top of the service's environment."""
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "CLAUDE_CARTHING_EVENT": event.kind,
        "CLAUDE_CARTHING_TITLE": event.title,
        "CLAUDE_CARTHING_BODY": event.body,
        "CLAUDE_CARTHING_URGENCY": event.urgency,
        "CLAUDE_CARTHING_WINDOW": text(event.window),
        "CLAUDE_CARTHING_LABEL": text(event.label),
        "CLAUDE_CARTHING_PERCENT": "" if event.percent is None else f"{event.percent:g}",
        "CLAUDE_CARTHING_RESETS_AT": text(event.resets_at),
        "CLAUDE_CARTHING_ACCOUNT": text(event.account),
    }


def run_hook(argv: Sequence[str], event: Event, usage: dict[str, Any] | None,
             timeout: float) -> bool:
    """Run the hook once; return whether it succeeded. Failures are logged, never raised.

    The hook runs in a process group of its own, and the whole group is ended at the timeout.
    Its input and output are temporary files, not pipes, so a program it leaves running in the
    background cannot make us wait: the hook is done when the hook itself exits.
    """
    payload = json.dumps({**event.to_json(), "usage": usage}).encode("utf-8")
    try:
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as output:
            stdin.write(payload)
            stdin.seek(0)
            code = _run(argv, event, stdin, output, timeout)
            if code is None:
                return False
            if code != 0:
                output.seek(0)
                text = output.read().decode("utf-8", "replace").strip()
                log.warning("The hook %s failed (exit %d) on a %s event: %s", argv[0], code,
                            event.kind, text[-OUTPUT_SHOWN:] or "no output")
                return False
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in an argument or variable
        log.warning("The hook %s could not run: %s.", argv[0],
                    getattr(exc, "strerror", None) or exc)
        return False
    return True


def _run(argv: Sequence[str], event: Event, stdin: IO[bytes], output: IO[bytes],
         timeout: float) -> int | None:
    """Run the hook; return its exit code, or None when it was stopped at the timeout."""
    proc = subprocess.Popen(
        list(argv), stdin=stdin, stdout=output, stderr=subprocess.STDOUT,
        env={**without_secrets(os.environ), **hook_env(event)},
        **popen_options(platform.system()))
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning("The hook %s took longer than %g s and was stopped.", argv[0], timeout)
        return None
    finally:
        if proc.poll() is None:
            kill_tree(proc)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
