"""Windows: a Task Scheduler task that runs `serve` at logon with no console window."""

from __future__ import annotations

import getpass
import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path

from claude_carthing import paths
from claude_carthing.autostart.program import SERVICE_NAME
from claude_carthing.commands import powershell

TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def unit_path(env: Mapping[str, str] | None = None) -> Path:
    """Return where we keep the task's XML (Task Scheduler holds its own copy once created)."""
    return paths.home_dir() / "autostart" / f"{SERVICE_NAME}-task.xml"


def _user() -> str:
    domain = os.environ.get("USERDOMAIN")
    return f"{domain}\\{getpass.getuser()}" if domain else getpass.getuser()


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def render(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """Return the task's XML (Task Scheduler expects it saved as UTF-16).

    A task cannot carry environment variables, so `env` is not used: the CLI warns instead.
    """
    ET.register_namespace("", TASK_NS)
    task = ET.Element("Task", {"version": "1.2", "xmlns": TASK_NS})
    _sub(_sub(task, "RegistrationInfo"), "Description",
         "claude-carthing: serves Claude usage limits to the Car Thing")
    trigger = _sub(_sub(task, "Triggers"), "LogonTrigger")
    _sub(trigger, "Enabled", "true")
    _sub(trigger, "UserId", _user())
    principal = _sub(_sub(task, "Principals"), "Principal", None)
    principal.set("id", "Author")
    _sub(principal, "UserId", _user())
    _sub(principal, "LogonType", "InteractiveToken")
    _sub(principal, "RunLevel", "LeastPrivilege")
    settings = _sub(task, "Settings")
    for tag, text in (("MultipleInstancesPolicy", "IgnoreNew"),
                      ("DisallowStartIfOnBatteries", "false"),
                      ("StopIfGoingOnBatteries", "false"),
                      ("ExecutionTimeLimit", "PT0S"),  # run for as long as the user is logged on
                      ("Enabled", "true")):
        _sub(settings, tag, text)
    restart = _sub(settings, "RestartOnFailure")
    _sub(restart, "Interval", "PT1M")
    _sub(restart, "Count", "3")
    actions = _sub(task, "Actions")
    actions.set("Context", "Author")
    exe = _sub(actions, "Exec")
    _sub(exe, "Command", argv[0])
    _sub(exe, "Arguments", subprocess.list2cmdline(list(argv[1:])))
    body = ET.tostring(task, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n"


def prepare_commands() -> list[list[str]]:
    """Return the commands to run before enabling, whose failure does not matter (none)."""
    return []


def enable_commands() -> list[list[str]]:
    """Return the commands that register the task and start it now."""
    return [["schtasks", "/Create", "/TN", SERVICE_NAME, "/XML", str(unit_path()), "/F"],
            ["schtasks", "/Run", "/TN", SERVICE_NAME]]


def disable_commands() -> list[list[str]]:
    """Return the commands that stop and delete the task."""
    return [["schtasks", "/End", "/TN", SERVICE_NAME],
            ["schtasks", "/Delete", "/TN", SERVICE_NAME, "/F"]]


def after_remove_commands() -> list[list[str]]:
    """Return the commands to run once the file is gone (none on Windows)."""
    return []


def status_command() -> list[str]:
    """Return the command that prints the task's state (nothing when there is no task)."""
    # The State enum's names are English in every Windows language; schtasks' text is not.
    return list(powershell(f"(Get-ScheduledTask -TaskName '{SERVICE_NAME}'"
                           " -ErrorAction SilentlyContinue).State"))


def is_running(returncode: int, stdout: str) -> bool:
    """Interpret the task's State (Ready, Running, Disabled...)."""
    return returncode == 0 and stdout.strip() == "Running"
