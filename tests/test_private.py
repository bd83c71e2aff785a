"""Private files on Windows: the icacls plan as data (it cannot run here), and doctor's check."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claude_carthing import paths, private, settings
from claude_carthing.cli import app
from claude_carthing.doctor import host

USER = "DESKTOP-7\\Ada Lovelace"
SECRETS = Path("C:/Users/Ada Lovelace/cc home/secrets.json")

WINDOWS_PATH = "C:\\Users\\Ada Lovelace\\cc home\\secrets.json"


def inherited(path: str) -> str:
    """`icacls` of a file created in a custom folder: it inherited read access for Users."""
    pad = " " * (len(path) + 1)  # icacls lines up every entry after the path
    return (f"{path} NT AUTHORITY\\SYSTEM:(I)(F)\n"
            f"{pad}BUILTIN\\Administrators:(I)(F)\n"
            f"{pad}DESKTOP-7\\Ada Lovelace:(I)(F)\n"
            f"{pad}BUILTIN\\Users:(I)(RX)\n\n"
            "Successfully processed 1 files; Failed processing 0 files\n")


def alone(path: str) -> str:
    """After `restrict`: the user alone (a German Windows, for the summary line)."""
    return (f"{path} DESKTOP-7\\Ada Lovelace:(F)\n\n"
            "1 Dateien erfolgreich verarbeitet, bei 0 Dateien ist ein Verarbeitungsfehler "
            "aufgetreten.\n")


class Icacls:
    """Records icacls commands and answers like icacls would for the path asked about."""

    def __init__(self, output: Callable[[str], str] = alone, rc: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.output, self.rc = output, rc

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        return subprocess.CompletedProcess(argv, self.rc, self.output(argv[1]),
                                           "Access is denied.")


@pytest.fixture
def ada(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERDOMAIN", "DESKTOP-7")
    monkeypatch.setenv("USERNAME", "Ada Lovelace")


def test_the_plan_removes_inherited_access_and_grants_the_user_alone(ada: None) -> None:
    icacls = Icacls()
    private.restrict(SECRETS, windows=True, runner=icacls)
    assert icacls.calls == [["icacls", str(SECRETS), "/inheritance:r", "/grant:r",
                             f"{USER}:(F)"]]  # one argument each: spaces need no quoting
    folder = private.restrict_argv(SECRETS.parent, USER, folder=True)
    assert folder[-1] == f"{USER}:(OI)(CI)(F)"  # files created inside inherit it


def test_a_refused_icacls_is_an_error_not_a_readable_secret(ada: None) -> None:
    with pytest.raises(PermissionError, match="Access is denied"):
        private.restrict(SECRETS, windows=True, runner=Icacls(rc=5))


def test_icacls_output_is_read_whatever_the_path_and_language() -> None:
    entries = private.parse_icacls(inherited(WINDOWS_PATH))
    assert [who for who, _ in entries] == ["NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators",
                                           USER, "BUILTIN\\Users"]
    assert private.others_with_access(entries, USER) == [
        "NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators", "BUILTIN\\Users"]
    only = private.parse_icacls(alone(WINDOWS_PATH), WINDOWS_PATH)
    assert only == [(USER, "(F)")]
    assert private.others_with_access(only, USER.upper()) == []


def test_write_private_restricts_before_the_secret_is_written(
    ada: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[str], str]] = []

    def icacls(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        seen.append((list(argv), Path(argv[1]).read_text(encoding="utf-8")))
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(private, "run", icacls)
    monkeypatch.setattr(settings, "WINDOWS", True)
    target = tmp_path / "secrets.json"
    settings.write_private(target, '{"session_key": "sk-ant-sid01-FAKE-canary"}\n')
    assert len(seen) == 1 and seen[0][0][2:] == ["/inheritance:r", "/grant:r", f"{USER}:(F)"]
    assert seen[0][1] == ""  # the file was still empty when it was made private
    assert "FAKE-canary" in target.read_text(encoding="utf-8")


def test_write_private_leaves_nothing_behind_when_windows_refuses(
    ada: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(private, "run", Icacls(rc=5))
    monkeypatch.setattr(settings, "WINDOWS", True)
    with pytest.raises(PermissionError):
        settings.write_private(tmp_path / "secrets.json", "secret\n")
    assert list(tmp_path.iterdir()) == []


def test_doctor_fails_a_secrets_file_others_can_read_on_windows(
    ada: None, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "secrets.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(host, "WINDOWS", True)
    monkeypatch.setattr(host, "find_adapters", list)
    monkeypatch.setattr(private, "run", Icacls(inherited))
    result = CliRunner().invoke(app, ["doctor", "--json", "--no-live", "--port", "9"])
    check = next(c for c in json.loads(result.output)["checks"] if c["name"] == "home folder")
    assert check["status"] == "fail"
    assert "BUILTIN\\Users" in check["summary"]
    assert check["fix"].startswith("icacls ") and "/inheritance:r" in check["fix"]
    monkeypatch.setattr(private, "run", Icacls(alone))
    result = CliRunner().invoke(app, ["doctor", "--json", "--no-live", "--port", "9"])
    check = next(c for c in json.loads(result.output)["checks"] if c["name"] == "home folder")
    assert check["status"] == "ok", check


# --- no race windows on POSIX: the temporary file and the home folder --------------------------

posix_only = pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX modes and links")


@posix_only
def test_write_private_never_writes_through_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    target = home / "secrets.json"
    # Whatever name the temporary file would take, a link planted there is never followed.
    for name in ("secrets.json.tmp", "secrets.json.tmp.1", ".secrets.json.tmp"):
        (home / name).symlink_to(victim)
    settings.write_private(target, '{"session_key": "sk-ant-sid01-FAKE-canary"}\n')
    assert victim.read_text(encoding="utf-8") == "the user's own file\n"
    assert "FAKE-canary" in target.read_text(encoding="utf-8")
    assert not target.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o600


@posix_only
def test_ensure_home_never_changes_a_folder_it_did_not_create(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    existing = tmp_path / "someone's home"
    existing.mkdir()
    existing.chmod(0o755)
    monkeypatch.setenv("CLAUDE_CARTHING_HOME", str(existing))
    assert paths.ensure_home() == existing
    assert stat.S_IMODE(existing.stat().st_mode) == 0o755


@posix_only
def test_ensure_home_creates_the_folder_private_from_the_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = tmp_path / "a" / "new home"
    monkeypatch.setenv("CLAUDE_CARTHING_HOME", str(new))
    chmods: list[str] = []
    real_chmod = os.chmod

    def recording_chmod(path: object, mode: int, *args: object, **kwargs: object) -> None:
        chmods.append(str(path))
        real_chmod(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", recording_chmod)
    old_umask = os.umask(0o022)
    try:
        paths.ensure_home()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert str(new) not in chmods  # made with mode 700, not opened up first and closed after
