"""usb-setup for real on Linux: a veth pair stands in for the gadget inside test namespaces.

Discovery accepts a veth named like a gadget (usb0) only when CLAUDE_CARTHING_USB_TEST_VETH
says which kind it plays; everything else (ip, the address, the link) is real.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("ip") is None, reason="needs Linux and iproute2"
)


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=check, timeout=60)


class Link:
    """A host namespace with `usb0` and a device namespace with its peer at 172.16.42.2."""

    def __init__(self) -> None:
        tag = secrets.token_hex(3)
        self.host = f"cct-h-{tag}"
        self.device = f"cct-d-{tag}"

    def create(self, name: str = "usb0") -> None:
        sh("ip", "netns", "add", self.host)
        sh("ip", "netns", "add", self.device)
        sh("ip", "-n", self.host, "link", "add", name, "type", "veth",
           "peer", "name", "carthing0", "netns", self.device)
        sh("ip", "-n", self.device, "addr", "add", "172.16.42.2/24", "dev", "carthing0")
        sh("ip", "-n", self.device, "link", "set", "carthing0", "up")
        sh("ip", "-n", self.host, "link", "set", "lo", "up")

    def delete(self) -> None:
        for ns in (self.host, self.device):
            sh("ip", "netns", "del", ns, check=False)

    def addresses(self, name: str = "usb0") -> list[str]:
        rows = json.loads(sh("ip", "-n", self.host, "-j", "addr", "show", "dev", name).stdout)
        return [f"{a['local']}/{a['prefixlen']}" for a in rows[0]["addr_info"]
                if a["family"] == "inet"]

    def usb_setup(self, *args: str, kind: str = "rndis", prefix: tuple[str, ...] = ()
                  ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CLAUDE_CARTHING_USB_TEST_VETH": kind}
        return subprocess.run(
            ["ip", "netns", "exec", self.host, *prefix,
             sys.executable, "-m", "claude_carthing", "usb-setup", *args],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )


@pytest.fixture
def link() -> Iterator[Link]:
    probe = Link()
    made = sh("ip", "netns", "add", probe.host, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create network namespaces here: {made.stderr.strip()}")
    sh("ip", "netns", "del", probe.host)
    try:
        yield probe
    finally:
        probe.delete()
    assert probe.host not in sh("ip", "netns", "list").stdout


def test_assigns_the_rndis_host_address_and_the_device_can_reach_it(link: Link) -> None:
    link.create()
    result = link.usb_setup()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "172.16.42.1/24" in link.addresses()
    assert "[OK] usb0 has 172.16.42.1" in result.stdout
    # The "device" reaches a server listening on the host's new address.
    server = subprocess.Popen(
        ["ip", "netns", "exec", link.host, sys.executable, "-c",
         "import socket;s=socket.socket();s.bind(('172.16.42.1',8080));s.listen();"
         "print('ready',flush=True);c,_=s.accept();c.sendall(b'hello');c.close()"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        got = sh("ip", "netns", "exec", link.device, sys.executable, "-c",
                 "import socket;c=socket.create_connection(('172.16.42.1',8080),5);"
                 "print(c.recv(5).decode())")
        assert got.stdout.strip() == "hello"
    finally:
        server.kill()
        server.wait()


def test_running_twice_changes_nothing_the_second_time(link: Link) -> None:
    link.create()
    assert link.usb_setup().returncode == 0
    again = link.usb_setup()
    assert again.returncode == 0
    assert "already has 172.16.42.1/24" in again.stdout
    assert "$ ip" not in again.stdout
    assert link.addresses().count("172.16.42.1/24") == 1


def test_dry_run_prints_the_commands_and_changes_nothing(link: Link) -> None:
    link.create()
    result = link.usb_setup("--dry-run")
    assert result.returncode == 0
    assert "ip link set dev usb0 up" in result.stdout
    assert "ip addr add 172.16.42.1/24 dev usb0" in result.stdout
    assert link.addresses() == []


def test_without_net_admin_it_says_how_to_rerun_and_changes_nothing(link: Link) -> None:
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv (util-linux) to drop CAP_NET_ADMIN")
    link.create()
    drop = ("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin")
    result = link.usb_setup(prefix=drop)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "administrator rights" in result.stdout
    assert "sudo " in result.stdout and "usb-setup" in result.stdout
    assert link.addresses() == []


def test_no_adapter_is_a_clear_failure(link: Link) -> None:
    link.create(name="eth7")  # a veth that is not named like a gadget
    result = link.usb_setup()
    assert result.returncode == 3
    assert "No Car Thing USB network adapter found" in result.stdout
    assert "data cable" in result.stdout


def test_ncm_with_a_lease_is_reported(link: Link) -> None:
    link.create()
    sh("ip", "-n", link.host, "addr", "add", "10.42.1.91/29", "dev", "usb0")
    sh("ip", "-n", link.host, "link", "set", "usb0", "up")
    result = link.usb_setup(kind="ncm")
    assert result.returncode == 0, result.stdout
    assert "DHCP lease 10.42.1.91 on usb0" in result.stdout
    assert "Car Thing should be at 10.42.1.90" in result.stdout


def test_ncm_without_a_lease_names_the_dhcp_fix(link: Link) -> None:
    link.create()
    result = link.usb_setup(kind="ncm")
    assert result.returncode == 1
    assert "No DHCP lease on usb0" in result.stdout
    assert "dhclient usb0" in result.stdout
