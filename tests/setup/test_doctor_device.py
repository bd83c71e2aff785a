"""doctor's device checks against deploy's emulated Car Things (real sshd, BusyBox, loopback).

Every run passes `--server-host 127.0.0.1`: the emulated device shares this machine's network,
so the address it fetches from must be loopback (never the product's 172.16.42.1 default).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.device.conftest import no_user_ssh_keys  # noqa: F401 - autouse: hide ~/.ssh, agent
from tests.device.emulator import EmulatedDevice
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer, free_port
from typer.testing import CliRunner

from claude_carthing.cli import app
from claude_carthing.usb import Adapter

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]
# Adapter data only: --device and --server-host override both of its addresses, so nothing is
# ever sent to 172.16.42.x.
USB_UP = Adapter("usb0", "rndis", addresses=("172.16.42.1/24",), evidence="test stand-in")
# emulated generation -> the generation line doctor prints (from the device's version file)
GENERATIONS = {
    "v3": "Nocturne v3 (runit), firmware 3.0.0",
    "v4.0.0": "Nocturne v4.0 (supervisord), firmware v4.0.0",
    "v4.0.6": "Nocturne v4.0 (supervisord), firmware v4.0.6",
    "v4.0.7": "Nocturne v4.0 (supervisord), firmware v4.0.7",
    "v4.1": "Nocturne v4.1 (systemd), firmware 4.1.2",
}
DEPLOY_FIX = "fix: Run `claude-carthing deploy`"
Lines = dict[str, tuple[str, str]]


@pytest.fixture
def server(fake_upstream: FakeUpstream, adapters: list[Adapter]) -> Iterator[LiveServer]:
    """The real server on loopback; the USB adapter stand-in says this PC is 127.0.0.1."""
    adapters.append(USB_UP)
    with LiveServer(upstream=fake_upstream, source="oauth") as live:
        yield live


def doctor(device: EmulatedDevice, port: int, *more: str) -> tuple[int, str]:
    """Run `claude-carthing doctor` against an emulated device, as a user would."""
    result = CliRunner().invoke(app, [
        "doctor", "--no-live", "--device", "127.0.0.1", "--ssh-port", str(device.port),
        "--server-host", "127.0.0.1", "--port", str(port), *more])
    return result.exit_code, result.output


def lines(output: str) -> Lines:
    """Map each check's name to (label, summary without timing + the fix line, if any)."""
    found: Lines = {}
    last = ""
    for line in output.splitlines():
        if line.startswith("["):
            label, rest = line.split("]", 1)
            last, summary = rest.strip().split(": ", 1)
            summary, timing = summary.rsplit("  (", 1)
            assert timing.endswith(" ms)"), line
            found[last] = (label + "]", summary)
        elif line.strip().startswith("fix:") and last:
            found[last] = (found[last][0], f"{found[last][1]}\n{line.strip()}")
    return found


def deploy(cli: Callable[..., Any], device: EmulatedDevice, server_url: str, *more: str) -> None:
    result = cli("deploy", "--device", "127.0.0.1", "--ssh-port", str(device.port),
                 "--server", server_url, *more)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("generation", GENERATIONS)
def test_doctor_before_and_after_deploy_and_with_the_server_stopped(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
    generation: str,
) -> None:
    device = make_device(generation)

    code, out = doctor(device, server.port)
    before = lines(out)
    assert code == 1, out
    assert before["kiosk page"][0] == "[FAIL]"
    assert "not our page (not deployed)" in before["kiosk page"][1]
    assert DEPLOY_FIX in before["kiosk page"][1]
    assert before["device reaches server"][0] == "[OK]"  # the server is up, only the page is not

    deploy(cli, device, server.url)
    code, out = doctor(device, server.port)
    after = lines(out)
    assert code == 0, out
    assert after["device reachable"] == ("[OK]", f"127.0.0.1:{device.port} answers")
    assert after["SSH login"] == ("[OK]", f"root@127.0.0.1:{device.port} with a stock "
                                  "Nocturne password")
    assert after["generation"] == ("[OK]", GENERATIONS[generation])
    assert after["kiosk page"] == ("[OK]", f"the kiosk opens our page for {server.url}")
    assert after["device reaches server"] == ("[OK]", f"the device fetched {server.url}/health")
    assert after["device clock"][0] == "[OK]"
    assert after["device clock"][1].startswith("within ")
    assert out.splitlines()[-1] == "All checks passed."

    server.stop()
    code, out = doctor(device, server.port)
    stopped = lines(out)
    assert code == 1
    assert stopped["device reaches server"][0] == "[FAIL]"
    assert f"the device cannot fetch {server.url}/health" in stopped["device reaches server"][1]
    assert "fix: Start `claude-carthing serve --host 0.0.0.0`" in stopped["device reaches server"][1]
    assert stopped["kiosk page"][0] == "[OK]"  # the page is still there; only the server is gone


def test_page_deployed_for_another_server_warns(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
) -> None:
    device = make_device("v4.1")
    other = f"http://127.0.0.1:{free_port()}"
    deploy(cli, device, other)
    code, out = doctor(device, server.port)
    kiosk = lines(out)["kiosk page"]
    assert kiosk[0] == "[WARN]"
    assert f"our page is deployed but asks {other} for data, not {server.url}" in kiosk[1]
    assert DEPLOY_FIX in kiosk[1]
    assert "--server URL" in kiosk[1]
    assert lines(out)["device reaches server"][0] == "[OK]"  # this server is reachable
    assert code == 0  # a warning, not a failure


def test_changed_page_files_and_a_reverted_kiosk_file_are_told_apart(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
) -> None:
    device = make_device("v4.1")
    deploy(cli, device, server.url)
    page = "/opt/nocturne/webapps/claude-carthing/index.html"
    assert device.run_inside(f"echo '<!-- older -->' >> {page}").returncode == 0
    code, out = doctor(device, server.port)
    kiosk = lines(out)["kiosk page"]
    assert kiosk[0] == "[WARN]"
    assert "1 page file(s) differ from claude-carthing" in kiosk[1]
    assert code == 0  # a warning is not a failure

    # A firmware update puts its own kiosk file back; deploy's manifest on /var stays.
    stock = "KIOSK_URL=http://127.0.0.1:8080/\n"
    assert device.run_inside(f"printf '{stock}' > /opt/nocturne/kiosk-env").returncode == 0
    code, out = doctor(device, server.port)
    kiosk = lines(out)["kiosk page"]
    assert kiosk[0] == "[FAIL]"
    assert "the kiosk opens http://127.0.0.1:8080/, not our page: deploy's edit is gone" in kiosk[1]
    assert DEPLOY_FIX in kiosk[1]
    assert code == 1

    deploy(cli, device, server.url)  # deploy repairs both
    code, out = doctor(device, server.port)
    assert lines(out)["kiosk page"][0] == "[OK]"
    assert code == 0, out


def _key(tmp_path: Path, name: str) -> Path:
    key = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def test_json_of_a_device_run_holds_no_secret(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    creds.write_web()
    monkeypatch.setenv("CLAUDE_CARTHING_SESSION_KEY", creds.FAKE_SESSION_KEY)
    password = "FAKE-canary-device-password"
    key = _key(tmp_path, "id_device")
    device = make_device("v3", password=password,
                         authorized_key=key.with_suffix(".pub").read_text().strip())
    deploy(cli, device, server.url, "--identity", str(key))
    private = [line for line in key.read_text().splitlines() if "PRIVATE KEY" not in line]

    code, out = doctor(device, server.port, "--json", "--identity", str(key))
    report = json.loads(out)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["SSH login"]["data"] == {"login": "key"}
    assert checks["kiosk page"]["status"] == "ok"
    assert checks["device reaches server"]["status"] == "ok"
    assert report["ok"] is True and code == 0
    wrong = _key(tmp_path, "id_other")  # refused: then the stock passwords are refused too
    failed_code, failed = doctor(device, server.port, "--json", "--identity", str(wrong))
    login = {c["name"]: c for c in json.loads(failed)["checks"]}["SSH login"]
    assert login["status"] == "fail" and "--identity" in login["fix"]
    assert failed_code == 1
    for text in (out, failed):
        assert creds.CANARY not in text
        assert all(line not in text for line in private)


def test_a_device_clock_an_hour_ahead_warns_without_failing(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
) -> None:
    device = make_device("v3")
    deploy(cli, device, server.url)
    # The device's own `date` runs an hour ahead (the host's clock is never touched).
    shim = device.workdir / "date"
    shim.write_text('#!/bin/sh\necho $(( $(/bin/busybox date +%s) + 3600 ))\n')
    subprocess.run(["nsenter", "-t", str(device.ns_pid), "-m", "--", "sh", "-c",
                    "mount -o remount,rw /srv && rm /srv/bin/date && cp \"$0\" /srv/bin/date"
                    " && chmod 755 /srv/bin/date && mount -o remount,ro /srv", str(shim)],
                   check=True)
    code, out = doctor(device, server.port)
    clock = lines(out)["device clock"]
    assert clock[0] == "[WARN]"
    assert clock[1].startswith("off by +3600 s") or clock[1].startswith("off by +3599 s")
    assert "deploy --set-clock" in clock[1]
    assert code == 0, out


def test_a_changed_host_key_fails_login_and_says_which_line_to_delete(
    make_device: Callable[..., EmulatedDevice], server: LiveServer, tmp_path: Path,
) -> None:
    from claude_carthing.paths import device_dir

    device = make_device("v4.1")
    other = _key(tmp_path, "old_host_key")  # the key "this" device had before a reflash
    kind, blob = other.with_suffix(".pub").read_text().split()[:2]
    device_dir().mkdir(parents=True, exist_ok=True)
    (device_dir() / "known_hosts").write_text(f"[127.0.0.1]:{device.port} {kind} {blob}\n")
    code, out = doctor(device, server.port)
    found = lines(out)
    assert found["SSH login"][0] == "[FAIL]"
    assert "different SSH host key" in found["SSH login"][1]
    assert f"fix: If you reflashed the Car Thing, delete its line in {device_dir()}" in out
    assert found["kiosk page"] == ("[SKIP]", "not checked: no SSH login")
    assert code == 1


def test_v407_kiosk_waiting_for_a_silent_nocturned_is_reported(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
) -> None:
    device = make_device("v4.0.7")
    deploy(cli, device, server.url)
    code, out = doctor(device, server.port)
    start = lines(out)["kiosk start"]
    assert start[0] == "[OK]", out
    assert f"nocturned answers at http://127.0.0.1:{device.nocturned_port}/" in start[1]

    # nocturned stops answering: start-chromium waits forever, the browser never starts.
    device.set_nocturned(False)
    device.run_inside("supervisorctl restart chromium >/dev/null")
    code, out = doctor(device, server.port)
    start = lines(out)["kiosk start"]
    assert start[0] == "[FAIL]", out
    assert ("the kiosk cannot start: /bin/start-chromium waits until nocturned answers at"
            f" http://127.0.0.1:{device.nocturned_port}/, and nothing answers there") in start[1]
    assert "fix: Restart nocturned" in start[1]
    assert lines(out)["kiosk page"][0] == "[OK]"  # the page is deployed; only the start hangs
    assert code == 1


@pytest.mark.parametrize("generation", ["v3", "v4.0.6", "v4.1"])
def test_kiosks_that_wait_for_nothing_get_no_start_check(
    make_device: Callable[..., EmulatedDevice], server: LiveServer, generation: str,
) -> None:
    device = make_device(generation)
    _code, out = doctor(device, server.port)
    assert "kiosk start" not in lines(out)


def test_a_reversed_dial_is_still_our_page_for_this_server(
    make_device: Callable[..., EmulatedDevice], cli: Callable[..., Any], server: LiveServer,
) -> None:
    device = make_device("v4.1")
    deploy(cli, device, server.url, "--reverse-dial")
    code, out = doctor(device, server.port)
    kiosk = lines(out)["kiosk page"]
    assert kiosk[0] == "[OK]", out
    assert "dial reversed" in kiosk[1]
    assert code == 0
