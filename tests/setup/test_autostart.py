"""autostart: the generated login items per OS, and enable/disable/status run as a user would."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claude_carthing import autostart
from claude_carthing.autostart import linux, macos, windows
from claude_carthing.autostart.program import serve_argv
from claude_carthing.cli import app

NS = {"t": windows.TASK_NS}


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway user: HOME, XDG_CONFIG_HOME and our home folder all inside tmp_path."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CLAUDE_CARTHING_HOME", str(tmp_path / "cc home"))
    return tmp_path


class ServiceManager:
    """Records service-manager commands and answers like systemctl/launchctl/schtasks would."""

    def __init__(self, running: str = "") -> None:
        self.calls: list[list[str]] = []
        self.running = running

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if argv[:3] == ["systemctl", "--user", "is-active"]:
            up = self.running == "linux"
            return subprocess.CompletedProcess(argv, 0 if up else 3,
                                               "active\n" if up else "inactive\n", "")
        return subprocess.CompletedProcess(argv, 0, "", "")


def test_serve_argv_is_absolute_and_needs_no_path(tmp_path: Path) -> None:
    argv = serve_argv("linux")
    assert Path(argv[0]).is_absolute() and argv[-1] == "serve"
    out = subprocess.run([*argv[:-1], "--version"], capture_output=True, text=True,
                         env={"PATH": ""}, check=False)
    assert out.returncode == 0 and "claude-carthing" in out.stdout
    fake = tmp_path / "python.exe"
    fake.touch()
    (tmp_path / "pythonw.exe").touch()
    win = serve_argv("windows", python=str(fake))
    assert win == [str(tmp_path / "pythonw.exe"), "-m", "claude_carthing", "serve", "--tray"]
    assert serve_argv("macos")[-2:] == ["serve", "--tray"]  # no window: the icon shows it runs


def test_linux_unit_runs_serve_with_our_home(user_home: Path) -> None:
    path, text = autostart.render("linux")
    assert path == user_home / "xdg" / "systemd" / "user" / "claude-carthing.service"
    assert "WantedBy=default.target" in text and "Restart=on-failure" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert exec_line.endswith(" serve") and exec_line.split("=", 1)[1].startswith("/")
    assert f'Environment="CLAUDE_CARTHING_HOME={user_home}/cc home"' in text


def test_linux_unit_passes_systemd_analyze_verify(user_home: Path, tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    _, text = autostart.render("linux")
    unit = tmp_path / "claude-carthing.service"
    unit.write_text(text)
    result = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    # The check is real: a unit whose program is missing fails it.
    unit.write_text(text.replace("ExecStart=/", "ExecStart=/nonexistent/"))
    bad = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True, check=False)
    assert bad.returncode != 0


def test_linux_unit_escapes_percent_and_dollar() -> None:
    text = linux.render(["/opt/a b/100%/$x/claude-carthing", "serve"], {})
    assert 'ExecStart="/opt/a b/100%%/$$x/claude-carthing" serve' in text


def test_macos_plist_parses_and_starts_serve_at_login(user_home: Path) -> None:
    path, text = autostart.render("macos")
    assert path == user_home / "Library" / "LaunchAgents" / f"{macos.LABEL}.plist"
    data = plistlib.loads(text.encode())
    assert data["Label"] == macos.LABEL
    assert data["ProgramArguments"] == serve_argv("macos")
    assert data["RunAtLoad"] is True and data["KeepAlive"] == {"SuccessfulExit": False}
    assert data["EnvironmentVariables"] == {"CLAUDE_CARTHING_HOME": str(user_home / "cc home")}
    assert data["StandardErrorPath"].startswith(str(user_home / "cc home"))


def test_windows_task_xml_parses_and_runs_pythonw_at_logon(user_home: Path) -> None:
    xml = windows.render(["C:\\Py 3\\pythonw.exe", "-m", "claude_carthing", "serve"], {})
    root = ET.fromstring(xml.split("\n", 1)[1])  # noqa: S314 - our own output
    assert root.tag == f"{{{windows.TASK_NS}}}Task"
    assert root.find("t:Triggers/t:LogonTrigger/t:Enabled", NS).text == "true"  # type: ignore[union-attr]
    assert root.find("t:Actions/t:Exec/t:Command", NS).text == "C:\\Py 3\\pythonw.exe"  # type: ignore[union-attr]
    assert root.find("t:Actions/t:Exec/t:Arguments", NS).text == "-m claude_carthing serve"  # type: ignore[union-attr]
    assert root.find("t:Principals/t:Principal/t:RunLevel", NS).text == "LeastPrivilege"  # type: ignore[union-attr]
    assert root.find("t:Settings/t:ExecutionTimeLimit", NS).text == "PT0S"  # type: ignore[union-attr]
    assert xml.startswith('<?xml version="1.0" encoding="UTF-16"?>')


def test_windows_enable_writes_utf16_and_registers_the_task(user_home: Path) -> None:
    manager = ServiceManager()
    result = autostart.enable("windows", runner=manager)
    path = windows.unit_path()
    assert result.ok and path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert ET.fromstring(path.read_text(encoding="utf-16").split("\n", 1)[1])  # noqa: S314 is not None
    assert manager.calls[0] == ["schtasks", "/Create", "/TN", "claude-carthing", "/XML",
                                str(path), "/F"]
    assert any("setx CLAUDE_CARTHING_HOME" in m for m in result.messages)


def test_cli_enable_status_disable_on_linux(user_home: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    manager = ServiceManager()
    monkeypatch.setattr(autostart, "run", manager)
    monkeypatch.setattr(autostart, "current_system", lambda: "linux")
    runner = CliRunner()
    unit = user_home / "xdg" / "systemd" / "user" / "claude-carthing.service"

    before = runner.invoke(app, ["autostart", "status"])
    assert before.exit_code == 0 and "installed: no" in before.output

    enabled = runner.invoke(app, ["autostart", "enable"])
    assert enabled.exit_code == 0, enabled.output
    assert unit.is_file() and "Autostart enabled" in enabled.output
    assert ["systemctl", "--user", "enable", "--now", "claude-carthing.service"] in manager.calls

    manager.running = "linux"
    after = runner.invoke(app, ["autostart", "status"])
    assert "installed: yes" in after.output and "running:   yes" in after.output

    disabled = runner.invoke(app, ["autostart", "disable"])
    assert disabled.exit_code == 0 and not unit.exists()
    assert ["systemctl", "--user", "disable", "--now", "claude-carthing.service"] in manager.calls
    again = runner.invoke(app, ["autostart", "disable"])
    assert again.exit_code == 0 and "not enabled" in again.output


def test_cli_enable_fails_visibly_when_the_service_manager_refuses(
    user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, 1, "", "Failed to connect to bus")

    monkeypatch.setattr(autostart, "run", refuse)
    monkeypatch.setattr(autostart, "current_system", lambda: "linux")
    result = CliRunner().invoke(app, ["autostart", "enable"])
    assert result.exit_code == 1
    assert "Failed to connect to bus" in result.output


class Launchd:
    """launchctl as it behaves: `bootstrap` of a loaded agent fails, `bootout` of none fails."""

    def __init__(self) -> None:
        self.loaded: set[str] = set()
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        verb, domain, target = argv[1], argv[2], argv[-1]
        if verb == "bootstrap":
            label = plistlib.loads(Path(target).read_bytes())["Label"]
            if label in self.loaded:
                return subprocess.CompletedProcess(argv, 5, "",
                                                   "Bootstrap failed: 5: Input/output error")
            self.loaded.add(label)
            return subprocess.CompletedProcess(argv, 0, "", "")
        if verb == "bootout":
            label = domain.rsplit("/", 1)[1]
            if label not in self.loaded:
                return subprocess.CompletedProcess(argv, 3, "",
                                                   "Boot-out failed: 3: No such process")
            self.loaded.discard(label)
            return subprocess.CompletedProcess(argv, 0, "", "")
        return subprocess.CompletedProcess(argv, 1, "", f"unexpected {argv}")


def test_macos_enable_twice_reloads_the_agent(user_home: Path) -> None:
    launchd = Launchd()
    first = autostart.enable("macos", runner=launchd)
    second = autostart.enable("macos", runner=launchd)
    assert first.ok and second.ok, second.messages
    assert launchd.loaded == {macos.LABEL}
    verbs = [call[1] for call in launchd.calls]
    assert verbs == ["bootout", "bootstrap", "bootout", "bootstrap"]
    assert launchd.calls[0][2].endswith(f"/{macos.LABEL}")
    assert not any("failed" in m for m in first.messages + second.messages)


def test_windows_status_asks_task_scheduler_for_the_state_enum(user_home: Path) -> None:
    argv = windows.status_command()
    assert argv[:4] == ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command"]
    assert argv[4].startswith("[Console]::OutputEncoding=[Text.UTF8Encoding]::new($false);")
    assert argv[4].endswith(
        "(Get-ScheduledTask -TaskName 'claude-carthing' -ErrorAction SilentlyContinue).State")

    def answer(state: str) -> ServiceManager:
        class Scheduler(ServiceManager):
            def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
                self.calls.append(list(argv))
                return subprocess.CompletedProcess(argv, 0, state, "")
        return Scheduler()

    # The enum name is English whatever the display language ("Wird ausgeführt" in German).
    assert autostart.status("windows", runner=answer("Running\r\n")).running
    for state in ("Ready\r\n", "Disabled\r\n", ""):  # "" is no task at all
        st = autostart.status("windows", runner=answer(state))
        assert not st.running and st.detail == ""
