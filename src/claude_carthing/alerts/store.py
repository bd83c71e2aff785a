"""The small file in the home folder that remembers what was announced, across restarts."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from claude_carthing import paths
from claude_carthing.alerts.events import Announced

log = logging.getLogger(__name__)


def state_file(*, demo: bool = False) -> Path:
    """Return the file's path (demo data keeps its own, so it never mixes with real state)."""
    return paths.account_dir() / ("demo-alerts.json" if demo else "alerts.json")


def load(path: Path) -> Announced:
    """Return what was announced before; nothing when the file is missing or unreadable."""
    try:
        return Announced.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return Announced()
    except (OSError, ValueError) as exc:
        log.warning("Ignoring %s (%s): notifications start from scratch.", path.name, exc)
        return Announced()


def save(path: Path, announced: Announced) -> None:
    """Write the state atomically; a failure is logged, never fatal."""
    try:
        from claude_carthing.settings import write_private

        paths.ensure_home()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # another account's folder
        # A fresh temporary name, opened exclusively without following links, then renamed.
        write_private(path, json.dumps(announced.to_json(), sort_keys=True) + "\n")
    except OSError as exc:
        log.warning("Could not save %s (%s).", path.name, exc.strerror)
