"""`usb-setup --interface NAME` on a name that is not a Car Thing link says so (issue 17, item 18)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.setup.test_usb_plans import LinuxMachine, fake_sys, ip_row, sys_root  # noqa: F401

from claude_carthing.usb import windows
from claude_carthing.usb.apply import UsbExit, setup

NOT_A_LINK = "exists, but is not a Car Thing USB link"


def _dry_run(os_name: str, runner, interface: str) -> tuple[int, str]:
    lines: list[str] = []
    code = setup(os_name, 8080, dry_run=True, admin=False, echo=lines.append, runner=runner,
                 interface=interface)
    return code, "\n".join(lines)


def test_linux_an_existing_ethernet_interface_is_named_as_not_a_car_thing_link(
        sys_root: Path) -> None:  # noqa: F811 - the fixture
    fake_sys(sys_root, "eth0", "e1000e")
    machine = LinuxMachine(ip_row("eth0", "192.168.1.23/24"))
    code, out = _dry_run("linux", machine, "eth0")
    assert code == UsbExit.NO_ADAPTER
    assert f"Interface 'eth0' {NOT_A_LINK}" in out, out
    assert "No interface" not in out
    assert machine.ran == []


def test_linux_a_missing_interface_is_still_not_found(sys_root: Path) -> None:  # noqa: F811
    fake_sys(sys_root, "eth0", "e1000e")
    machine = LinuxMachine(ip_row("eth0", "192.168.1.23/24"))
    code, out = _dry_run("linux", machine, "eth9")
    assert code == UsbExit.NO_ADAPTER
    assert "No interface 'eth9' found" in out and NOT_A_LINK not in out


def test_windows_an_existing_wifi_adapter_is_named_as_not_a_car_thing_link() -> None:
    adapters = ('[{"Name": "Wi-Fi", "InterfaceDescription": "Intel(R) Wi-Fi 6 AX201 160MHz", '
                '"InterfaceIndex": 7, "Status": "Up"}]')

    def runner(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        out = adapters if windows.ADAPTERS_SCRIPT in argv[-1] else "[]"
        return subprocess.CompletedProcess(list(argv), 0, out, "")

    code, out = _dry_run("windows", runner, "Wi-Fi")
    assert code == UsbExit.NO_ADAPTER
    assert f"Interface 'Wi-Fi' {NOT_A_LINK}" in out, out


def test_macos_an_existing_wifi_port_is_named_as_not_a_car_thing_link() -> None:
    fixtures = Path(__file__).parent.parent / "fixtures" / "setup"

    def runner(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        name = "macos-hardwareports.txt" if argv[0] == "networksetup" else "macos-ifconfig.txt"
        return subprocess.CompletedProcess(list(argv), 0, (fixtures / name).read_text(), "")

    code, out = _dry_run("macos", runner, "en0")
    assert code == UsbExit.NO_ADAPTER
    assert f"Interface 'en0' {NOT_A_LINK}" in out, out
