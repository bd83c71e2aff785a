"""--set-clock: the device gets this PC's time and timezone; the host's clock is never touched.

The emulated devices' `date`, `hwclock` and `timedatectl` are recorded stand-ins (and the
device runs without CAP_SYS_TIME), so these tests assert on what the device was asked to do.
"""

from __future__ import annotations

import calendar
import json
import os
import time
from pathlib import Path

import pytest

from tests.device.helpers import STATE, ssh_args

SERVER = "http://127.0.0.1:8765"
BERLIN = Path("/usr/share/zoneinfo/Europe/Berlin")
pytestmark = [pytest.mark.ssh, pytest.mark.busybox]


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Make this PC's timezone Europe/Berlin (as `TZ` does on Linux and macOS)."""
    if not BERLIN.is_file():
        pytest.skip("no tzdata (/usr/share/zoneinfo) on this machine")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    return BERLIN.read_bytes()


# Debian's busybox-static runs its own applets before PATH (so its `date` would bypass the
# device's recorded stand-in); `.ci/run` extracts one and names it here.
STATIC_BUSYBOX = os.environ.get("CLAUDE_CARTHING_STATIC_BUSYBOX", "")


@pytest.fixture(params=["busybox", "busybox-static"])
def busybox(request: pytest.FixtureRequest) -> str | None:
    """The BusyBox the emulated device runs: the host's package, then a static build."""
    if request.param == "busybox":
        return None
    if not STATIC_BUSYBOX or not os.access(STATIC_BUSYBOX, os.X_OK):
        pytest.skip("set CLAUDE_CARTHING_STATIC_BUSYBOX to a busybox-static binary (.ci/run does)")
    return STATIC_BUSYBOX


def requested_epoch(device) -> float:
    """Return the time the device was told to take, as seconds since 1970 (UTC)."""
    raw = device.read("/run/emu/clock.set").decode().strip()
    if raw.startswith("@"):
        return float(raw[1:])
    return calendar.timegm(time.strptime(raw, "%Y-%m-%d %H:%M:%S"))


@pytest.mark.usefixtures("berlin")
@pytest.mark.parametrize("generation", ["v3", "v4.0.7"])
def test_set_clock_sets_time_and_zone_and_undeploy_puts_the_zone_back(
        make_device, cli, berlin, generation, busybox):
    device = make_device(generation, busybox=busybox)
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER, "--set-clock")
    assert result.exit_code == 0, result.output
    calls = device.clock_calls()
    assert calls[0].startswith("date -u -s ")
    assert calls[1] == "hwclock -w -u"
    assert abs(requested_epoch(device) - time.time()) < 10
    # glibc's zone file, byte for byte this PC's compiled Europe/Berlin, written with "/" remounted.
    assert device.read("/etc/localtime") == berlin
    assert device.root_readonly()
    assert "Europe/Berlin" in result.output
    manifest = json.loads(device.read(f"{STATE}/manifest.json"))
    entry = next(f for f in manifest["files"] if f["path"] == "/etc/localtime")
    assert entry["backup"] is None and entry["original_sha256"] is None  # it did not exist

    deployed = device.snapshot()
    for again in (["--set-clock"], []):
        second = cli("deploy", *ssh_args(device), "--server", SERVER, *again)
        assert second.exit_code == 0, second.output
        assert "Nothing to change" in second.output
        assert device.snapshot() == deployed

    undo = cli("undeploy", *ssh_args(device))
    assert undo.exit_code == 0, undo.output
    assert device.snapshot() == stock  # /etc/localtime is gone again, like every other change


@pytest.mark.usefixtures("berlin")
def test_a_zone_link_is_replaced_and_comes_back_as_the_same_link(make_device, cli, berlin):
    device = make_device("v4.0.0", localtime_link="UTC")
    stock = device.snapshot()
    assert stock["/etc/localtime"] == ("link", 0, b"/usr/share/zoneinfo/UTC")
    assert cli("deploy", *ssh_args(device), "--server", SERVER, "--set-clock").exit_code == 0
    assert not device.path("/etc/localtime").is_symlink()
    assert device.read("/etc/localtime") == berlin
    assert device.read("/usr/share/zoneinfo/UTC") == stock["/usr/share/zoneinfo/UTC"][2]
    assert cli("undeploy", *ssh_args(device)).exit_code == 0
    assert device.snapshot() == stock


@pytest.mark.usefixtures("berlin")
def test_v41_uses_timedatectl_and_reports_a_refused_timezone(make_device, cli, busybox):
    device = make_device("v4.1", busybox=busybox)
    result = cli("deploy", *ssh_args(device), "--server", SERVER, "--set-clock")
    assert result.exit_code == 0, result.output
    set_time, set_zone = device.clock_calls()
    assert set_time.startswith("timedatectl set-time @")
    assert abs(requested_epoch(device) - time.time()) < 10
    assert set_zone == "timedatectl set-timezone Europe/Berlin"
    assert device.read("/run/emu/timezone") == b"Europe/Berlin\n"
    assert device.read("/etc/localtime") is None  # systemd owns the zone file on v4.1

    device.path("/run/emu/fail-timezone").write_text("")
    again = cli("deploy", *ssh_args(device), "--server", SERVER, "--set-clock")
    assert again.exit_code == 0, again.output  # the page does not need the device's zone
    assert "warning: the device kept its timezone" in again.output
    assert "Read-only file system" in again.output


@pytest.mark.usefixtures("berlin")
def test_dry_run_lists_the_clock_steps_and_sets_nothing(make_device, cli):
    device = make_device("v3")
    stock = device.snapshot()
    result = cli("deploy", *ssh_args(device), "--server", SERVER, "--set-clock", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "write /etc/localtime (timezone -> Europe/Berlin" in result.output
    assert "run: date -u -s '" in result.output
    assert device.clock_calls() == []
    assert device.snapshot() == stock
