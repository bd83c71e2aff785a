"""Start `serve` at login: a systemd user unit, a launchd agent, or a Task Scheduler task."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from claude_carthing.autostart import linux, macos, windows
from claude_carthing.autostart.program import serve_argv, service_env
from claude_carthing.commands import Runner, run

BACKENDS: dict[str, ModuleType] = {"linux": linux, "macos": macos, "windows": windows}


def current_system() -> str:
    """Return "windows", "macos" or "linux"."""
    return {"Windows": "windows", "Darwin": "macos"}.get(platform.system(), "linux")


@dataclass(frozen=True)
class AutostartStatus:
    """Whether the login item is installed, and whether the service manager says it runs."""

    system: str
    path: Path
    installed: bool
    running: bool
    detail: str = ""


@dataclass(frozen=True)
class Result:
    """What enable/disable did: success, and the lines to show the user."""

    ok: bool
    messages: tuple[str, ...]


def render(system: str) -> tuple[Path, str]:
    """Return the file path and content `enable` would write on `system`."""
    backend = BACKENDS[system]
    return backend.unit_path(), backend.render(serve_argv(system), service_env())


def _run_all(runner: Runner, commands: list[list[str]], messages: list[str]) -> bool:
    ok = True
    for argv in commands:
        result = runner(argv)
        if result.returncode != 0:
            ok = False
            messages.append(f"`{' '.join(argv)}` failed ({result.returncode}): "
                            f"{(result.stderr or result.stdout).strip()}")
    return ok


def enable(system: str | None = None, runner: Runner | None = None) -> Result:
    """Write the login item for this OS and ask the service manager to start it now."""
    system = system or current_system()
    runner = runner or run  # looked up at call time so tests can swap the service manager
    backend = BACKENDS[system]
    path, text = render(system)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-16" if system == "windows" else "utf-8")
    messages = [f"Wrote {path}", "Runs: " + " ".join(serve_argv(system))]
    if system == "windows" and service_env():
        messages.append("CLAUDE_CARTHING_HOME is set in this shell only: the task will not see "
                        "it. Make it a user variable (setx CLAUDE_CARTHING_HOME ...).")
    _run_all(runner, backend.prepare_commands(), [])  # allowed to fail: nothing to undo yet
    ok = _run_all(runner, backend.enable_commands(), messages)
    messages.append("Autostart enabled: `serve` starts at login." if ok else
                    "The file is written but the service manager refused it (see above).")
    return Result(ok, tuple(messages))


def disable(system: str | None = None, runner: Runner | None = None) -> Result:
    """Stop the login item and remove its file; disabling twice is fine."""
    system = system or current_system()
    runner = runner or run  # looked up at call time so tests can swap the service manager
    backend = BACKENDS[system]
    path = backend.unit_path()
    if not path.exists():
        return Result(True, (f"Autostart is not enabled (no {path}).",))
    messages: list[str] = []
    # Stopping fails when it is not loaded; removing the file is what matters.
    _run_all(runner, backend.disable_commands(), [])
    path.unlink()
    _run_all(runner, backend.after_remove_commands(), messages)
    messages.append(f"Removed {path}; `serve` no longer starts at login.")
    return Result(True, tuple(messages))


def status(system: str | None = None, runner: Runner | None = None) -> AutostartStatus:
    """Return whether the login item is installed and whether it runs."""
    system = system or current_system()
    runner = runner or run  # looked up at call time so tests can swap the service manager
    backend = BACKENDS[system]
    path = backend.unit_path()
    result = runner(backend.status_command())
    running = backend.is_running(result.returncode, result.stdout)
    detail = "" if result.returncode in (0, 3) else (result.stderr or result.stdout).strip()
    return AutostartStatus(system, path, path.exists(), running, detail)


__all__ = ["AutostartStatus", "Result", "current_system", "disable", "enable", "render", "status"]
