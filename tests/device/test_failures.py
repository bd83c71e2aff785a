"""Deploy failures leave the device as it was: auth, host key, unreachable, full disk, bad restart."""

from __future__ import annotations

import subprocess

import pytest

from claude_carthing.cli.exit import ExitStatus
from claude_carthing.paths import device_dir
from tests.device.emulator import free_port
from tests.device.helpers import ssh_args

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]
SERVER = "http://127.0.0.1:8765"


def test_wrong_password_is_refused_and_nothing_changes(make_device, cli):
    device = make_device("v3", password="not-the-stock-one")
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code == ExitStatus.AUTH
    assert "refused our SSH keys and the stock Nocturne passwords" in result.output
    assert device.snapshot() == stock


def test_key_is_tried_first_and_works_without_a_password(make_device, cli, tmp_path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")],
                   check=True)
    device = make_device("v4.1", password="unguessable-password",
                         authorized_key=(tmp_path / "id.pub").read_text().strip())
    result = cli("deploy", *ssh_args(device), "--server", SERVER, "-i", str(tmp_path / "id"))
    assert result.exit_code == 0, result.output
    assert "Deployed" in result.output


def test_v41_empty_stock_password_logs_in(make_device, cli):
    device = make_device("v4.1")  # root with an empty password, as shipped
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code == 0, result.output


def test_changed_host_key_stops_with_an_explanation(make_device, cli, tmp_path):
    device = make_device("v3")
    # We met "this" device before, when it had another host key (e.g. before a reflash).
    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    kind, blob = (tmp_path / "other_key.pub").read_text().split()[:2]
    device_dir().mkdir(parents=True)
    (device_dir() / "known_hosts").write_text(f"[127.0.0.1]:{device.port} {kind} {blob}\n")
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code == ExitStatus.AUTH
    assert "different SSH host key" in result.output
    assert "known_hosts" in result.output
    assert device.snapshot() == stock


def test_first_connection_stores_the_host_key(make_device, cli):
    device = make_device("v3")
    assert cli("deploy", *ssh_args(device), "--server", SERVER, "--dry-run").exit_code == 0
    stored = (device_dir() / "known_hosts").read_text()
    assert f"[127.0.0.1]:{device.port} ssh-ed25519" in stored
    host_key = (device.workdir / "host_key.pub").read_text().split()[1]
    assert host_key in stored


def _no_internals(output: str) -> None:
    # paramiko's wording ("[Errno None] Unable to connect...", exception class names) is not
    # for users: the message says what happened in words, and what to do next.
    for internal in ("Errno", "NoValidConnectionsError", "SSHException", "ChannelException",
                     "EOFError", "paramiko"):
        assert internal not in output, output


def test_unreachable_device_says_so_and_what_to_do(cli):
    port = free_port()
    result = cli("deploy", "--device", "127.0.0.1", "--ssh-port", str(port), "--server", SERVER)
    assert result.exit_code == ExitStatus.UNREACHABLE
    line = _one_error_line(result)
    assert f"could not reach SSH at 127.0.0.1:{port}: nothing accepts connections there" in line
    _no_internals(result.output)
    assert "usb-setup" in result.output and "--device" in result.output  # the next steps


def test_full_var_halfway_through_the_page_undoes_everything(make_device, cli):
    device = make_device("v3", var_free_kb=24)  # backups fit, the page does not
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code != 0
    assert "No space left on device" in result.output
    assert "Every change was undone" in result.output
    assert device.snapshot() == stock
    assert device.root_readonly()
    assert device.browser_url() == device.stock_url


def test_full_root_while_remounted_goes_back_read_only(make_device, cli):
    device = make_device("v4.0.0", root_full=True)
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code != 0
    assert "/etc/supervisord.conf" in result.output
    assert "Every change was undone" in result.output
    assert device.root_readonly()
    assert device.snapshot() == stock


@pytest.mark.parametrize("generation", ["v4.0.6", "v4.0.7", "v4.1"])
def test_failing_restart_restores_the_files(make_device, cli, generation):
    device = make_device(generation)
    stock = device.snapshot()
    device.path("/run/emu/fail-restart").write_text("")
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code != 0
    assert "failed on the device" in result.output
    assert device.snapshot() == stock
    assert device.root_readonly()
    assert device.browser_url() == device.stock_url


def test_undeploy_without_a_deploy_says_nothing_to_undo(make_device, cli):
    device = make_device("v3")
    result = cli("undeploy", *ssh_args(device))
    assert result.exit_code != 0
    assert "nothing to undo" in result.output


def _one_error_line(result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def test_device_refusing_every_command_is_one_error_line(make_device, cli):
    # Logging in works, but sshd refuses to open a session channel (ChannelException).
    device = make_device("v3", max_sessions=0)
    result = cli("undeploy", *ssh_args(device))
    assert result.exit_code == ExitStatus.UNREACHABLE, result.output
    assert "SSH connection to 127.0.0.1 stopped working" in _one_error_line(result)
    _no_internals(result.output)
    assert "run the same command again" in result.output  # the next step


def test_device_dying_in_the_middle_of_undeploy_is_one_error_line(make_device, cli,
                                                                   monkeypatch):
    from claude_carthing.device import workflow

    device = make_device("v3")
    assert cli("deploy", *ssh_args(device), "--server", SERVER).exit_code == 0
    real_undeploy = workflow.undeploy

    def unplugged_meanwhile(transport, note):
        device.stop()  # the cable is pulled after login and detection
        return real_undeploy(transport, note)

    monkeypatch.setattr(workflow, "undeploy", unplugged_meanwhile)
    result = cli("undeploy", *ssh_args(device))
    assert result.exit_code == ExitStatus.UNREACHABLE, result.output
    assert "SSH connection to 127.0.0.1" in _one_error_line(result)
    _no_internals(result.output)
    assert "run the same command again" in result.output


# `mount` on the device, failing the next N read-only remounts (as a busy file would make it).
FLAKY_MOUNT = """#!/bin/sh
case "$*" in *remount,ro*)
  n=$(cat /run/emu/fail-ro 2>/dev/null || echo 0)
  if [ "$n" -gt 0 ]; then
    echo $((n - 1)) > /run/emu/fail-ro
    echo "mount: mounting /dev/root on / failed: Device or resource busy" >&2
    exit 1
  fi;;
esac
exec /bin/busybox mount "$@"
"""


def _flaky_mount(device, failures: int) -> None:
    setup = device.run_inside(
        "/bin/busybox mount -o remount,rw / && rm /bin/mount"
        f" && cat > /bin/mount <<'EOF'\n{FLAKY_MOUNT}EOF\n"
        " chmod 755 /bin/mount && /bin/busybox mount -o remount,ro /"
        f" && echo {failures} > /run/emu/fail-ro")
    assert setup.returncode == 0, setup.stderr
    assert device.root_readonly()


def test_failed_readonly_remount_is_retried_by_the_rollback(make_device, cli):
    device = make_device("v3")
    _flaky_mount(device, failures=1)
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code != 0
    assert "could not remount / read-only" in result.output
    assert device.root_readonly(), result.output
    assert "Every change was undone" in result.output
    assert device.snapshot() == stock
    assert device.browser_url() == device.stock_url


def test_root_stuck_read_write_is_not_called_as_it_was(make_device, cli):
    device = make_device("v3")
    _flaky_mount(device, failures=99)
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code != 0
    assert not device.root_readonly()
    assert "as it was" not in result.output
    assert "/ is still mounted read-write; reboot the Car Thing" in result.output
    assert device.snapshot() == stock  # every file is back, only the mount is not


def test_deploy_on_v407_with_nocturned_down_says_the_kiosk_cannot_start(make_device, cli):
    device = make_device("v4.0.7")
    device.set_nocturned(False)
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code == 0, result.output  # the files are right; the kiosk waits
    assert "warning: the kiosk cannot start: /bin/start-chromium waits until nocturned" in \
        result.output
    assert "Restart nocturned" in result.output
    assert device.browser_url() == device.stock_url  # indeed: no browser started since
    device.set_nocturned(True)
    device.wait_for(lambda: device.browser_url() != device.stock_url, "the page once it answers")
