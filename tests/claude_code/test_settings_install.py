"""`claude-code install|uninstall|status`: merged into the user's settings, undone exactly."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from claude_carthing.claude_code.commands import is_ours, shell_command
from claude_carthing.claude_code.settings_install import (
    EVENTS,
    InstallError,
    install,
    status,
    uninstall,
)

USER = {"theme": "dark", "model": "opus",
        "statusLine": {"type": "command", "command": "~/bin/my-line.sh", "padding": 1},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
                  "PreToolUse": [{"matcher": "Bash", "hooks": [
                      {"type": "command", "command": "guard.sh"}]}]}}
EXE = "/opt/tools/bin/claude-carthing"


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    path = tmp_path / "claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(USER, indent=4), encoding="utf-8")
    return path


def test_install_merges_and_keeps_everything_of_the_user(settings: Path) -> None:
    report = install(EXE, settings)
    data = json.loads(settings.read_text())
    assert data["theme"] == "dark" and data["model"] == "opus"
    assert data["statusLine"]["command"] == f"{EXE} statusline"
    assert data["statusLine"]["padding"] == 1
    assert data["hooks"]["Stop"][0] == USER["hooks"]["Stop"][0]
    assert data["hooks"]["PreToolUse"] == USER["hooks"]["PreToolUse"]
    for event, background in EVENTS.items():
        [ours] = [h for g in data["hooks"][event] for h in g["hooks"] if h.get("args")]
        assert ours["command"] == EXE and ours["args"] == ["hook"]
        assert ours.get("async", False) is background
    side = json.loads(settings.with_name("claude-carthing.json").read_text())
    assert side["chained_status_line"] == "~/bin/my-line.sh"
    assert report.backup is not None and report.backup.read_text() == json.dumps(USER, indent=4)


def test_a_second_install_changes_nothing(settings: Path) -> None:
    install(EXE, settings)
    first = settings.read_bytes()
    mtime = settings.stat().st_mtime_ns
    report = install(EXE, settings)
    assert not report.changed
    assert settings.read_bytes() == first and settings.stat().st_mtime_ns == mtime
    side = json.loads(settings.with_name("claude-carthing.json").read_text())
    assert side["chained_status_line"] == "~/bin/my-line.sh"  # not our own line


def test_uninstall_restores_the_file_byte_for_byte(settings: Path) -> None:
    original = settings.read_bytes()
    install(EXE, settings)
    report = uninstall(settings)
    assert report.restored and settings.read_bytes() == original
    assert sorted(p.name for p in settings.parent.iterdir()) == ["settings.json"]


def test_uninstall_after_another_change_removes_only_ours(settings: Path) -> None:
    install(EXE, settings)
    data = json.loads(settings.read_text())
    data["theme"] = "light"  # the user (or Claude Code) changed something since
    settings.write_text(json.dumps(data))
    report = uninstall(settings)
    assert report.changed and not report.restored
    after = json.loads(settings.read_text())
    assert after == {**USER, "theme": "light"}


def test_install_then_uninstall_without_a_settings_file_leaves_none(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "settings.json"
    install(EXE, path)
    assert json.loads(path.read_text())["statusLine"]["command"] == f"{EXE} statusline"
    uninstall(path)
    assert not path.exists()


@pytest.mark.parametrize("text", ["{not json", '{"a": 1,}', "[1, 2]"])
def test_invalid_json_is_refused_and_never_overwritten(settings: Path, text: str) -> None:
    settings.write_text(text)
    with pytest.raises(InstallError, match=r"settings\.json"):
        install(EXE, settings)
    assert settings.read_text() == text
    with pytest.raises(InstallError):
        uninstall(settings)
    assert settings.read_text() == text


def test_status_reports_a_missing_executable(settings: Path) -> None:
    install(EXE, settings)
    report = status(settings)
    assert report.status_line and all(report.hooks.values())
    assert any("not there" in p for p in report.problems)


def test_a_windows_install_is_recognised_and_replaced_in_place(settings: Path) -> None:
    win = r"C:\Users\Ann Lee\AppData\Roaming\Python\Scripts\claude-carthing.exe"
    data = json.loads(settings.read_text())
    data["statusLine"] = {"type": "command", "command": shell_command(
        win, "statusline", windows=True, target="bash")}
    settings.write_text(json.dumps(data))
    install(EXE, settings)
    after = json.loads(settings.read_text())
    assert after["statusLine"]["command"] == f"{EXE} statusline"
    assert is_ours(win) and is_ours(f'& "{win}" statusline')


# --- the command strings, as data ---------------------------------------------------------------


def test_windows_paths_use_forward_slashes_and_need_no_quotes_when_plain() -> None:
    exe = r"C:\Users\ann\AppData\Local\Programs\Python\Scripts\claude-carthing.exe"
    for shell in ("bash", "powershell"):
        assert shell_command(exe, "statusline", windows=True, target=shell) == (
            "C:/Users/ann/AppData/Local/Programs/Python/Scripts/claude-carthing.exe statusline")


def test_windows_paths_with_spaces_are_quoted_for_the_shell_claude_code_uses() -> None:
    exe = r"C:\Users\Ann Lee\Scripts\claude-carthing.exe"
    assert shell_command(exe, "statusline", windows=True, target="bash") == (
        '"C:/Users/Ann Lee/Scripts/claude-carthing.exe" statusline')
    assert shell_command(exe, "statusline", windows=True, target="powershell") == (
        "& 'C:/Users/Ann Lee/Scripts/claude-carthing.exe' statusline")


def _stand_in(folder: Path) -> Path:
    folder.mkdir(parents=True)
    exe = folder / "claude-carthing"
    exe.write_text('#!/bin/sh\nprintf "%s|" "$@" > "$(dirname "$0")/args"\n')
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


@pytest.mark.parametrize("name", ["plain", "with space", "it's $HOME `x`"])
def test_the_command_runs_in_sh_and_bash_as_written(tmp_path: Path, name: str) -> None:
    exe = _stand_in(tmp_path / name / "bin")
    for shell in ("sh", "bash"):
        (exe.parent / "args").unlink(missing_ok=True)
        command = shell_command(str(exe), "statusline", windows=False)
        subprocess.run([shell, "-c", command], check=True, timeout=10)
        assert (exe.parent / "args").read_text() == "statusline|"


@pytest.mark.parametrize("name", ["plain", "with space"])
def test_the_git_bash_form_runs_in_bash(tmp_path: Path, name: str) -> None:
    exe = _stand_in(tmp_path / name / "bin")
    command = shell_command(str(exe), "statusline", windows=True, target="bash")
    subprocess.run(["bash", "-c", command], check=True, timeout=10)
    assert (exe.parent / "args").read_text() == "statusline|"


def test_the_powershell_form_runs_in_powershell_when_there_is_one(tmp_path: Path) -> None:
    pwsh = shutil.which("pwsh") or shutil.which("powershell")
    command = shell_command(r"C:\Users\Ann Lee\x\claude-carthing.exe", "statusline",
                            windows=True, target="powershell")
    assert command.startswith("& '") and command.endswith("' statusline")
    if pwsh is None or os.name != "posix":
        return  # checked as data above; PowerShell is not on this machine
    exe = _stand_in(tmp_path / "with space" / "bin")
    subprocess.run([pwsh, "-NoProfile", "-Command",
                    shell_command(str(exe), "statusline", windows=True, target="powershell")],
                   check=True, timeout=30)
    assert (exe.parent / "args").read_text() == "statusline|"


def _permission_handler(settings: Path) -> dict:
    data = json.loads(settings.read_text())
    [ours] = [h for g in data["hooks"]["PermissionRequest"] for h in g["hooks"]
              if h.get("args")]
    return ours


def test_approvals_are_off_unless_asked_and_status_says_so(settings: Path) -> None:
    report = install(EXE, settings)
    assert not report.approvals and _permission_handler(settings)["args"] == ["hook"]
    assert status(settings).approvals is False


def test_install_approvals_adds_the_deciding_hook_and_uninstall_removes_it(
        settings: Path) -> None:
    report = install(EXE, settings, approvals=True, approval_s=120)
    ours = _permission_handler(settings)
    assert report.approvals and status(settings).approvals
    assert ours["args"] == ["hook", "--approve"] and "async" not in ours
    assert ours["timeout"] > 120  # outlives the server's wait, or Claude Code cuts it first
    again = install(EXE, settings)  # a plain install keeps approvals as they are
    assert again.approvals and not again.changed
    off = install(EXE, settings, approvals=False)
    assert not off.approvals and _permission_handler(settings)["args"] == ["hook"]
    install(EXE, settings, approvals=True)
    uninstall(settings)
    assert settings.read_text() == json.dumps(USER, indent=4)


def test_status_names_the_permission_mode_of_the_users_settings(settings: Path) -> None:
    install(EXE, settings, approvals=True)
    assert status(settings).permission_mode == "auto"  # 2.1.332's default
    data = json.loads(settings.read_text())
    data["permissions"] = {"defaultMode": "default"}
    settings.write_text(json.dumps(data))
    assert status(settings).permission_mode == "default"
