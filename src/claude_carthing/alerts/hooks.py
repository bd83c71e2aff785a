"""Run the user's hook command for an event: JSON on stdin, the essentials in the environment."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Sequence
from typing import Any

from claude_carthing.alerts.events import Event

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
    }


def run_hook(argv: Sequence[str], event: Event, usage: dict[str, Any] | None,
             timeout: float) -> bool:
    """Run the hook once; return whether it succeeded. Failures are logged, never raised."""
    payload = {**event.to_json(), "usage": usage}
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up on Windows
    try:
        done = subprocess.run(
            list(argv), input=json.dumps(payload).encode("utf-8"), capture_output=True,
            env={**os.environ, **hook_env(event)}, timeout=timeout, check=False,
            creationflags=flags)
    except subprocess.TimeoutExpired:
        log.warning("The hook %s took longer than %g s and was stopped.", argv[0], timeout)
        return False
    except OSError as exc:
        log.warning("The hook %s could not run: %s.", argv[0], exc.strerror or exc)
        return False
    if done.returncode != 0:
        output = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        log.warning("The hook %s failed (exit %d) on a %s event: %s", argv[0], done.returncode,
                    event.kind, output[-OUTPUT_SHOWN:] or "no output")
        return False
    return True
