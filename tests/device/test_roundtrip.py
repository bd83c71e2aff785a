"""deploy, deploy again, undeploy: end to end against an emulated device of each generation."""

from __future__ import annotations

import json
import subprocess

import pytest

from claude_carthing.i18n.fonts import FONTS, FONTS_DIR
from tests.device.helpers import (
    KIOSK_FILE,
    PAGE_DIR,
    STATE,
    VARIANTS,
    expected_url,
    mtimes,
    ssh_args,
)

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]
SERVER = "http://127.0.0.1:8765"  # nothing needs to answer: deploy only warns


def restarts(device):
    """Return the recorded service-manager calls that change something (not queries)."""
    return [c for c in device.calls() if c.split()[1] in ("restart", "update", "start", "boot")]


@pytest.mark.parametrize("generation", VARIANTS)
def test_deploy_twice_then_undeploy_restores_every_byte(make_device, cli, generation):
    device = make_device(generation)
    stock = device.snapshot()
    stock_kiosk = device.read(KIOSK_FILE[generation])

    first = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert first.exit_code == 0, first.output
    url = expected_url(generation, SERVER)
    # The kiosk was restarted on the page, the page is there, the root is read-only again.
    device.wait_for(lambda: device.browser_url() == url, "the browser on the page")
    assert device.read(f"{PAGE_DIR[generation]}/index.html").startswith(b"<!")
    # The CJK fonts go with the page, byte for byte (undeploy removes them: the snapshot below).
    for file_name, _family, _face in FONTS.values():
        assert device.read(f"{PAGE_DIR[generation]}/fonts/{file_name}") == (
            FONTS_DIR / file_name).read_bytes()
    assert url in device.read(KIOSK_FILE[generation]).decode()
    assert device.root_readonly()
    manifest = json.loads(device.read(f"{STATE}/manifest.json"))
    assert manifest["kiosk_url"] == url
    assert manifest["generation"] == generation[:4]
    if stock_kiosk is not None:
        backup = manifest["files"][0]["backup"]
        assert device.read(backup) == stock_kiosk
    assert "warning: the Car Thing could not reach" in first.output

    deployed = device.snapshot()
    times = mtimes(device, f"{STATE}/manifest.json", KIOSK_FILE[generation],
                   f"{PAGE_DIR[generation]}/index.html")
    calls, browser_log = restarts(device), device.read("/run/emu/browser.log")
    second = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert second.exit_code == 0, second.output
    assert "Nothing to change" in second.output
    assert device.snapshot() == deployed
    assert mtimes(device, *times) == times
    assert restarts(device) == calls  # the kiosk was not restarted
    assert device.read("/run/emu/browser.log") == browser_log

    third = cli("undeploy", *ssh_args(device))
    assert third.exit_code == 0, third.output
    assert device.snapshot() == stock  # every file, mode and folder as before
    device.wait_for(lambda: device.browser_url() == device.stock_url, "the stock kiosk")
    assert device.root_readonly()


def test_v41_existing_kiosk_env_keeps_other_lines_and_comes_back(make_device, cli):
    original = "# set by the user\nKIOSK_EXTRA=--force-dark-mode\nKIOSK_URL=http://127.0.0.1:9/\n"
    device = make_device("v4.1", kiosk_env=original)
    stock = device.snapshot()
    assert cli("deploy", *ssh_args(device), "--server", SERVER).exit_code == 0
    text = device.read("/opt/nocturne/kiosk-env").decode()
    assert "KIOSK_EXTRA=--force-dark-mode" in text and "# set by the user" in text
    assert f"KIOSK_URL='{expected_url('v4.1', SERVER)}'" in text
    assert cli("undeploy", *ssh_args(device)).exit_code == 0
    assert device.read("/opt/nocturne/kiosk-env") == original.encode()
    assert device.snapshot() == stock


def test_redeploy_after_a_firmware_update_repairs_and_undo_gives_the_new_stock(make_device, cli):
    device = make_device("v3")
    assert cli("deploy", *ssh_args(device), "--server", SERVER).exit_code == 0
    # An OS update rewrites the root filesystem: a new stock run file, our edit gone.
    new_stock = device.read("/etc/sv/chromium/run").decode().replace(
        expected_url("v3", SERVER).join("''"), "http://localhost:80 --new-flag")
    (device.workdir / "new-run").write_text(new_stock)
    subprocess.run(["nsenter", "-t", str(device.ns_pid), "-m", "--", "sh", "-c",
                    "mount -o remount,rw /srv && cp \"$0\" /srv/etc/sv/chromium/run"
                    " && mount -o remount,ro /srv", str(device.workdir / "new-run")], check=True)
    plan = cli("deploy", *ssh_args(device), "--server", SERVER, "--dry-run")
    assert "back up /etc/sv/chromium/run" in plan.output  # the new stock file is kept
    repaired = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert repaired.exit_code == 0, repaired.output
    assert "--new-flag" in device.read("/etc/sv/chromium/run").decode()
    assert expected_url("v3", SERVER) in device.read("/etc/sv/chromium/run").decode()
    assert device.read(f"{STATE}/backup/etc/sv/chromium/run") == new_stock.encode()
    assert cli("undeploy", *ssh_args(device)).exit_code == 0
    assert device.read("/etc/sv/chromium/run") == new_stock.encode()


def test_dry_run_prints_the_plan_and_changes_nothing(make_device, cli):
    device = make_device("v3")
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER, "--dry-run")
    assert result.exit_code == 0, result.output
    full = expected_url("v3", SERVER)
    secret = full.split("&key=")[1]
    assert secret not in result.output  # the approvals secret is never printed
    for expected in ("Dry run", "Nocturne v3 (runit), firmware 3.0.0",
                     full.replace(secret, "(secret)"), "mount -o remount,rw /",
                     "write /etc/sv/chromium/run", "back up /etc/sv/chromium/run",
                     f"write {PAGE_DIR['v3']}/index.html", "run: sv restart chromium"):
        assert expected in result.output
    assert device.snapshot() == stock
    assert device.browser_url() == device.stock_url
    assert device.root_readonly()


def test_undeploy_removes_the_folders_deploy_created_outside_its_own(make_device, cli):
    # A v4.1 without any extra web app yet: deploy must create /opt/nocturne/webapps itself,
    # and undeploy must take it away again (it was not there before).
    device = make_device("v4.1", absent=("/var/lib/bandaid/nocturne/webapps",))
    stock = device.snapshot()
    assert "/opt/nocturne/webapps" not in stock
    assert cli("deploy", *ssh_args(device), "--server", SERVER).exit_code == 0
    assert device.path("/opt/nocturne/webapps/claude-carthing/index.html").is_file()
    manifest = json.loads(device.read(f"{STATE}/manifest.json"))
    assert "/opt/nocturne/webapps" in manifest["created_dirs"]
    assert cli("undeploy", *ssh_args(device)).exit_code == 0
    assert device.snapshot() == stock


def test_reverse_dial_goes_into_the_kiosk_url_and_a_plain_deploy_takes_it_out(make_device, cli):
    device = make_device("v4.0.7")
    result = cli("deploy", *ssh_args(device), "--server", SERVER, "--reverse-dial")
    assert result.exit_code == 0, result.output
    url = expected_url("v4.0.7", SERVER) + "&dial=reverse"
    device.wait_for(lambda: device.browser_url() == url, "the page with a reversed dial")
    assert device.browser_argv()[-1] == f"--app={url}"  # one argument, '&' and all
    plain = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert plain.exit_code == 0, plain.output
    device.wait_for(lambda: device.browser_url() == expected_url("v4.0.7", SERVER),
                    "the page with the dial as it comes")


def test_deploy_writes_the_approvals_secret_into_the_kiosk_url_and_never_prints_it(
        make_device, cli):
    from claude_carthing import paths
    from claude_carthing.serving.approvals import SECRET_FILE

    device = make_device("v4.0.7")
    result = cli("deploy", *ssh_args(device), "--server", SERVER)
    assert result.exit_code == 0, result.output
    secret = (paths.home_dir() / SECRET_FILE).read_text().strip()
    assert len(secret) >= 32
    device.wait_for(lambda: device.browser_url().endswith(f"&key={secret}"),
                    "the page with the approvals secret")
    assert secret not in result.output
    doctor = cli("doctor", "--json", "--no-live", *ssh_args(device),
                 "--server-host", "127.0.0.1")
    assert "kiosk" in doctor.output and "(secret)" in doctor.output, doctor.output
    assert secret not in doctor.output
