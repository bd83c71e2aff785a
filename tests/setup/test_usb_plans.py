"""The per-OS discovery parsers and command plans, as data (no machine is changed here)."""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from claude_carthing.commands import UTF8_OUTPUT
from claude_carthing.usb import apply, linux, macos, windows
from claude_carthing.usb.apply import UsbExit, setup
from claude_carthing.usb.discover import find_adapters
from claude_carthing.usb.model import Adapter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "setup"


def fake_sys(root: Path, ifname: str, driver: str, ids: tuple[str, str] | None = None) -> None:
    """Lay out /sys/class/net/<if>/device/driver the way the kernel links it (one USB port each)."""
    port = len(list((root / "devices" / "usb1").glob("1-*"))) + 1
    usbdev = root / "devices" / "usb1" / f"1-{port}"
    intf = usbdev / f"1-{port}:1.0"
    intf.mkdir(parents=True)
    drv = root / "bus" / "usb" / "drivers" / driver
    drv.mkdir(parents=True, exist_ok=True)
    (intf / "driver").symlink_to(drv)
    if ids:
        (usbdev / "idVendor").write_text(ids[0] + "\n")
        (usbdev / "idProduct").write_text(ids[1] + "\n")
    net = root / "class" / "net" / ifname
    net.mkdir(parents=True)
    (net / "device").symlink_to(intf)


def ip_row(name: str, *cidrs: str, up: bool = True) -> dict[str, object]:
    addr = [{"family": "inet", "local": c.split("/")[0], "prefixlen": int(c.split("/")[1])}
            for c in cidrs]
    return {"ifname": name, "flags": ["UP"] if up else [], "addr_info": addr}


# --- Linux -----------------------------------------------------------------------------------

def test_linux_finds_the_gadget_by_driver_and_skips_other_nics(tmp_path: Path) -> None:
    fake_sys(tmp_path, "enp3s0", "r8169")
    fake_sys(tmp_path, "enx021122334455", "rndis_host")
    fake_sys(tmp_path, "usb0", "cdc_ncm")
    found = linux.discover(tmp_path, {}, {}, {})
    assert [(a.name, a.kind) for a in found] == [("enx021122334455", "rndis"), ("usb0", "ncm")]
    assert found[0].evidence == "driver rndis_host"


def test_linux_finds_a_gadget_by_usb_id_when_the_driver_is_unknown(tmp_path: Path) -> None:
    fake_sys(tmp_path, "usb0", "some_driver", ids=("0525", "a4a2"))
    found = linux.discover(tmp_path, {"usb0": ip_row("usb0")}, {}, {})
    assert found[0].kind == "rndis"
    assert "0525:a4a2" in found[0].evidence


def test_linux_ignores_a_veth_unless_the_test_override_names_it(tmp_path: Path) -> None:
    (tmp_path / "class" / "net" / "usb0").mkdir(parents=True)
    rows = {"usb0": {**ip_row("usb0"), "linkinfo": {"info_kind": "veth"}}}
    assert linux.discover(tmp_path, rows, {}, {}) == []
    found = linux.discover(tmp_path, rows, {}, {linux.VETH_OVERRIDE_ENV: "rndis"})
    assert [a.name for a in found] == ["usb0"]


def test_linux_rndis_plan_uses_ip_when_networkmanager_does_not_manage_it() -> None:
    plan = linux.plan(Adapter("usb0", "rndis"))
    assert [s.display("linux") for s in plan.steps] == [
        "ip link set dev usb0 up",
        "ip addr add 172.16.42.1/24 dev usb0",
    ]
    assert plan.needs_admin
    assert "re-plugging" in plan.notes[0]


def test_linux_rndis_plan_uses_a_networkmanager_profile_when_managed(tmp_path: Path) -> None:
    fake_sys(tmp_path, "usb0", "rndis_host")
    nm = linux.parse_nm_devices("wlp2s0:connected\nusb0:disconnected\nlo:unmanaged\n")
    adapter = linux.discover(tmp_path, {}, nm, {})[0]
    plan = linux.plan(adapter)
    cmds = [s.display("linux") for s in plan.steps]
    assert cmds[1].startswith("nmcli connection add type ethernet ifname usb0")
    assert "ipv4.addresses 172.16.42.1/24" in cmds[1]
    assert "ipv4.never-default yes" in cmds[1]  # the Car Thing must not become the default route
    assert cmds[2] == "nmcli connection up claude-carthing-usb"
    assert plan.steps[0].may_fail and not plan.needs_admin


def test_linux_plan_is_empty_when_the_address_is_already_there() -> None:
    plan = linux.plan(Adapter("usb0", "rndis", addresses=("172.16.42.1/24",)))
    assert plan.steps == ()


def test_ncm_device_address_is_the_blocks_plus_two() -> None:
    a = Adapter("usb0", "ncm", addresses=("10.42.1.91/29",))
    assert (a.host_address, a.device_address) == ("10.42.1.91", "10.42.1.90")
    assert Adapter("usb0", "ncm", addresses=("10.42.1.4/29",)).device_address == "10.42.1.2"


# --- Windows ---------------------------------------------------------------------------------

def windows_adapters() -> list[Adapter]:
    return windows.discover(
        (FIXTURES / "windows-adapters.json").read_text(),
        (FIXTURES / "windows-addresses.json").read_text(),
    )


def test_windows_finds_rndis_by_description() -> None:
    found = windows_adapters()
    assert [(a.name, a.kind, a.index) for a in found] == [("Ethernet 3", "rndis", 21)]
    assert found[0].addresses == ("169.254.12.7/16",)


def test_windows_accepts_the_single_object_convertto_json_gives_for_one_row() -> None:
    one = json.dumps({"Name": "Ethernet 5", "InterfaceDescription": "UsbNcm Host Device",
                      "InterfaceIndex": 7, "Status": "Up"})
    lease = json.dumps({"InterfaceIndex": 7, "IPAddress": "10.42.1.91", "PrefixLength": 29})
    (adapter,) = windows.discover(one, lease)
    assert adapter.kind == "ncm" and adapter.host_address == "10.42.1.91"


def test_windows_rndis_plan_addresses_the_adapter_and_opens_only_the_port_for_the_subnet() -> None:
    plan = windows.plan(windows_adapters()[0], port=8123)
    scripts = [s.argv[-1] for s in plan.steps]
    assert all(s.argv[:4] == ("powershell.exe", "-NoProfile", "-NonInteractive", "-Command")
               for s in plan.steps)
    assert "New-NetIPAddress -InterfaceAlias 'Ethernet 3' -IPAddress 172.16.42.1 -PrefixLength 24" \
        in scripts[0]
    fw = scripts[1]
    assert "New-NetFirewallRule" in fw and "-Direction Inbound" in fw
    assert "-LocalPort 8123" in fw and "-RemoteAddress 172.16.42.0/24" in fw
    assert "-Protocol TCP" in fw
    assert plan.needs_admin
    assert any("Internet Connection Sharing" in w for w in plan.warnings)


def test_windows_quotes_adapter_names_for_powershell() -> None:
    plan = windows.plan(Adapter("Bob's NIC", "rndis", index=3), port=8080)
    assert "-InterfaceAlias 'Bob''s NIC'" in plan.steps[0].argv[-1]


def test_windows_warns_when_ics_has_readdressed_the_adapter() -> None:
    plan = windows.plan(Adapter("Ethernet 3", "rndis", addresses=("192.168.137.1/24",)), 8080)
    assert "192.168.137.1" in plan.warnings[0] and "Turn sharing off" in plan.warnings[0]


def test_windows_ncm_without_lease_points_at_the_driver() -> None:
    plan = windows.plan(Adapter("Ethernet 5", "ncm"), 8080)
    assert plan.problem is not None and "UsbNcm Host Device" in plan.problem
    assert "-RemoteAddress 10.42.1.0/24" in plan.steps[-1].argv[-1]


# --- macOS -----------------------------------------------------------------------------------

def macos_adapters() -> list[Adapter]:
    return macos.discover(
        (FIXTURES / "macos-hardwareports.txt").read_text(),
        (FIXTURES / "macos-ifconfig.txt").read_text(),
    )


def test_macos_finds_the_ncm_link_by_its_lease() -> None:
    (adapter,) = macos_adapters()
    assert (adapter.name, adapter.kind, adapter.description) == ("en7", "ncm", "Car Thing")
    assert adapter.addresses == ("10.42.1.91/29",)
    assert macos.plan(adapter).steps == ()


def test_macos_without_lease_renews_dhcp_and_rndis_is_explained() -> None:
    plan = macos.plan(Adapter("en7", "ncm"))
    assert [s.display("macos") for s in plan.steps] == ["ipconfig set en7 DHCP"]
    rndis = macos.plan(Adapter("en7", "rndis"))
    assert rndis.steps == () and rndis.problem is not None and "v4.1" in rndis.problem


# --- the whole flow, with a recorded Windows machine -----------------------------------------

class WindowsMachine:
    """Answers the discovery scripts from fixtures and records what else is run."""

    def __init__(self, fixtures: str = "") -> None:
        self.ran: list[Sequence[str]] = []
        self.adapters = (FIXTURES / f"windows-adapters{fixtures}.json").read_text()
        self.addresses = (FIXTURES / f"windows-addresses{fixtures}.json").read_text()

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        script = argv[-1]
        if tuple(argv) == windows.powershell(windows.ADAPTERS_SCRIPT):
            out = self.adapters
        elif tuple(argv) == windows.powershell(windows.ADDRESSES_SCRIPT):
            out = self.addresses
        else:
            self.ran.append(argv)
            if "New-NetIPAddress" in script:
                self.addresses = json.dumps(
                    [{"InterfaceIndex": 21, "IPAddress": "172.16.42.1", "PrefixLength": 24}])
            out = ""
        return subprocess.CompletedProcess(list(argv), 0, out, "")


def test_windows_flow_not_admin_runs_nothing_and_says_run_as_administrator() -> None:
    machine, lines = WindowsMachine(), []
    code = setup("windows", 8080, dry_run=False, admin=False, echo=lines.append, runner=machine)
    assert code == UsbExit.NOT_ADMIN
    assert machine.ran == []
    assert "Run as administrator" in "\n".join(lines)


def test_windows_flow_as_admin_applies_and_verifies() -> None:
    machine, lines = WindowsMachine(), []
    code = setup("windows", 8080, dry_run=False, admin=True, echo=lines.append, runner=machine)
    assert code == UsbExit.OK, lines
    assert len(machine.ran) == 2
    assert lines[-1].startswith("[OK] Ethernet 3 has 172.16.42.1")


@pytest.mark.parametrize("os_name", ["windows", "macos"])
def test_dry_run_lists_exact_commands(os_name: str) -> None:
    lines: list[str] = []
    machine = WindowsMachine()
    if os_name == "windows":
        setup("windows", 8080, dry_run=True, admin=False, echo=lines.append, runner=machine)
        text = "\n".join(lines)
        assert "New-NetFirewallRule" in text
        assert machine.ran == []
    else:
        def mac(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
            name = "macos-hardwareports.txt" if argv[0] == "networksetup" else "macos-ifconfig.txt"
            return subprocess.CompletedProcess(list(argv), 0, (FIXTURES / name).read_text(), "")

        setup("macos", 8080, dry_run=True, admin=False, echo=lines.append, runner=mac)
        assert "Nothing to run." in lines and "DHCP lease 10.42.1.91 on en7." in lines


# --- never re-address an adapter that is not (clearly) the Car Thing ---------------------------

class LinuxMachine:
    """Answers `ip -j -d addr show` from rows, has no NetworkManager, records every other command."""

    def __init__(self, *rows: dict[str, object]) -> None:
        self.rows = list(rows)
        self.ran: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        if list(argv[:3]) == ["ip", "-j", "-d"]:
            return subprocess.CompletedProcess(list(argv), 0, json.dumps(self.rows), "")
        if argv[0] == "nmcli":
            return subprocess.CompletedProcess(list(argv), 127, "", "nmcli: not found")
        self.ran.append(list(argv))
        return subprocess.CompletedProcess(list(argv), 0, "", "")


@pytest.fixture
def sys_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point usb-setup's Linux discovery at a fake /sys under tmp_path."""
    root = tmp_path / "sys"
    root.mkdir()
    monkeypatch.setattr(apply, "find_adapters",
                        functools.partial(find_adapters, sys_root=root, env={}))
    return root


def linux_setup(machine: LinuxMachine, *, interface: str | None = None) -> tuple[int, str]:
    lines: list[str] = []
    code = setup("linux", 8080, dry_run=False, admin=True, echo=lines.append, runner=machine,
                 interface=interface)
    return code, "\n".join(lines)


def test_linux_leaves_a_cdc_ether_dongle_on_the_home_network_alone(sys_root: Path) -> None:
    fake_sys(sys_root, "enx00e04c680001", "cdc_ether", ids=("0bda", "8153"))
    machine = LinuxMachine(ip_row("enx00e04c680001", "192.168.1.23/24"))
    code, out = linux_setup(machine)
    assert code == UsbExit.NO_ADAPTER, out
    assert machine.ran == []
    # Named explicitly, the user gets what they asked for.
    code, out = linux_setup(machine, interface="enx00e04c680001")
    assert ["ip", "addr", "add", "172.16.42.1/24", "dev", "enx00e04c680001"] in machine.ran


def test_linux_takes_a_cdc_ether_link_with_the_gadgets_usb_ids(sys_root: Path) -> None:
    fake_sys(sys_root, "usb0", "cdc_ether", ids=("1d6b", "0104"))
    machine = LinuxMachine(ip_row("usb0"))
    _code, out = linux_setup(machine)
    assert ["ip", "addr", "add", "172.16.42.1/24", "dev", "usb0"] in machine.ran, out


def test_linux_skips_a_phone_tethering_over_rndis_and_picks_the_car_thing(sys_root: Path) -> None:
    fake_sys(sys_root, "enx0a1b2c3d4e5f", "rndis_host", ids=("18d1", "4ee3"))  # Android tether
    fake_sys(sys_root, "usb0", "rndis_host")
    machine = LinuxMachine(ip_row("enx0a1b2c3d4e5f", "192.168.42.129/24"), ip_row("usb0"))
    _code, out = linux_setup(machine)
    assert all("enx0a1b2c3d4e5f" not in cmd for cmd in machine.ran), machine.ran
    assert ["ip", "addr", "add", "172.16.42.1/24", "dev", "usb0"] in machine.ran
    assert "[SKIP] enx0a1b2c3d4e5f has 192.168.42.129/24" in out
    assert "--interface enx0a1b2c3d4e5f" in out


def test_two_candidates_are_refused_and_both_are_named(sys_root: Path) -> None:
    fake_sys(sys_root, "usb0", "rndis_host")
    fake_sys(sys_root, "usb1", "cdc_ncm")
    machine = LinuxMachine(ip_row("usb0"), ip_row("usb1"))
    code, out = linux_setup(machine)
    assert code == UsbExit.AMBIGUOUS
    assert machine.ran == []
    assert "More than one adapter" in out
    assert "--interface usb0" in out and "--interface usb1" in out
    code, _ = linux_setup(machine, interface="usb1")
    assert code != UsbExit.AMBIGUOUS and machine.ran == [["ip", "link", "set", "dev", "usb1", "up"]]


def test_windows_does_not_take_android_usb_tethering_for_the_car_thing() -> None:
    machine, lines = WindowsMachine("-tethering"), []
    found = windows.discover(machine.adapters, machine.addresses)
    assert [a.name for a in found] == ["Ethernet 3"]
    code = setup("windows", 8080, dry_run=False, admin=True, echo=lines.append, runner=machine)
    assert code == UsbExit.OK, lines
    scripts = [argv[-1] for argv in machine.ran]
    assert all("Ethernet 4" not in s for s in scripts)
    assert any("-InterfaceAlias 'Ethernet 3'" in s for s in scripts)


def test_windows_two_car_thing_adapters_are_refused_with_both_names() -> None:
    machine, lines = WindowsMachine(), []
    two = json.loads(machine.adapters)
    two.append({"Name": "Ethernet 6", "InterfaceDescription": "UsbNcm Host Device",
                "InterfaceIndex": 30, "Status": "Up"})
    machine.adapters = json.dumps(two)
    code = setup("windows", 8080, dry_run=False, admin=True, echo=lines.append, runner=machine)
    assert code == UsbExit.AMBIGUOUS and machine.ran == []
    text = "\n".join(lines)
    assert '--interface "Ethernet 3"' in text and '--interface "Ethernet 6"' in text


def test_windows_dry_run_shows_what_to_type_at_a_powershell_prompt() -> None:
    machine, lines = WindowsMachine(), []
    setup("windows", 8080, dry_run=True, admin=False, echo=lines.append, runner=machine)
    shown = [line.strip() for line in lines if line.startswith("  ")]
    plan = windows.plan(windows_adapters()[0], 8080)
    # Each line is the step's own script (then a `#` comment, which PowerShell ignores too):
    # no `powershell.exe -Command "..."` wrapper whose quoting breaks when pasted.
    assert [line.split("    # ")[0] for line in shown] == [
        s.argv[-1].removeprefix(UTF8_OUTPUT) for s in plan.steps]
    assert shown[0].startswith("Set-NetIPInterface -InterfaceAlias 'Ethernet 3'")
    assert "Remove-NetIPAddress -Confirm:$false;" in shown[0]
    assert not any("powershell.exe" in line or UTF8_OUTPUT in line for line in shown)
    # What actually runs still forces UTF-8 output before the script.
    assert all(s.argv[-1].startswith(UTF8_OUTPUT) for s in plan.steps)
