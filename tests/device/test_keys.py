"""Logging in: the interactive password prompt (under a real terminal) and --install-key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claude_carthing.paths import home_dir
from tests.device.helpers import ssh_args

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]
SERVER = "http://127.0.0.1:8765"


def make_user_key() -> str:
    """Create ~/.ssh/id_ed25519 for the (temporary) user; return the public key line."""
    ssh = Path.home() / ".ssh"
    ssh.mkdir(mode=0o700)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "me@my-pc",
                    "-f", str(ssh / "id_ed25519")], check=True)
    return (ssh / "id_ed25519.pub").read_text().strip()


def accepted(log: str) -> list[str]:
    """Return sshd's "Accepted <method> for root" lines."""
    return [line for line in log.splitlines() if "Accepted " in line]


@pytest.mark.parametrize("generation", ["v3", "v4.1"])
def test_install_key_then_the_next_deploy_needs_no_password(make_device, cli, generation):
    public = make_user_key()
    device = make_device(generation)
    first = cli("deploy", *ssh_args(device), "--server", SERVER, "--install-key")
    assert first.exit_code == 0, first.output
    assert "Installed your SSH public key in /root/.ssh/authorized_keys" in first.output
    assert public.encode() + b"\n" in device.read("/root/.ssh/authorized_keys")
    assert device.path("/root/.ssh/authorized_keys").stat().st_mode & 0o777 == 0o600
    assert device.path("/root/.ssh").stat().st_mode & 0o777 == 0o700
    assert device.root_readonly()  # /root is on the read-only root: remounted for the write only
    # v4.1's empty stock password is accepted as auth method "none".
    assert accepted(device.log())[-1].split()[1] in ("password", "none")

    # The stock password no longer works; only the key can get in now.
    device.set_password("changed-after-the-key")
    before = len(accepted(device.log()))
    second = cli("deploy", *ssh_args(device), "--server", SERVER, "--install-key")
    assert second.exit_code == 0, second.output
    assert "Nothing to change" in second.output
    new = accepted(device.log())[before:]
    assert len(new) == 1 and new[0].startswith("Accepted publickey for root")

    undo = cli("undeploy", *ssh_args(device))
    assert undo.exit_code == 0, undo.output
    assert "Your SSH key stays in /root/.ssh/authorized_keys" in undo.output
    assert public.encode() in device.read("/root/.ssh/authorized_keys")


def test_install_key_keeps_other_keys_and_adds_ours_once(make_device, cli):
    public = make_user_key()
    device = make_device("v4.0.6")
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOther phone@x"
    staged = device.run_inside(
        "mount -o remount,rw / && mkdir -p /root/.ssh &&"
        f" printf %s '{other}' > /root/.ssh/authorized_keys && mount -o remount,ro /")
    assert staged.returncode == 0, staged.stderr
    for _ in range(2):  # the second run logs in with the key and has nothing to add
        result = cli("deploy", *ssh_args(device), "--server", SERVER, "--install-key")
        assert result.exit_code == 0, result.output
    assert device.read("/root/.ssh/authorized_keys") == f"{other}\n{public}\n".encode()
    assert device.root_readonly()


def test_password_prompt_under_a_terminal(make_device):
    pexpect = pytest.importorskip("pexpect", reason="pexpect drives the pseudo-terminal")
    secret = "s3cret-Car-Thing-pw"
    device = make_device("v3", password=secret)
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "200"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "claude_carthing", "deploy", *ssh_args(device), "--server", SERVER],
        env=env, timeout=60, encoding="utf-8")
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    child.expect(r"Password for root@127\.0\.0\.1: ?")
    child.sendline(secret)
    child.expect(pexpect.EOF)
    child.close()
    output = "".join(transcript)
    assert child.exitstatus == 0, output
    assert "Deployed: the Car Thing now shows the page." in output
    assert accepted(device.log())[-1].startswith("Accepted password for root")
    # The typed password is not echoed, printed, logged or stored anywhere of ours.
    assert secret not in output
    assert secret not in device.log()
    for path in home_dir().rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    for path in device.workdir.glob("*.log"):
        assert secret not in path.read_text(errors="replace")


class _Collect:
    """A file-like sink for pexpect's transcript."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass
