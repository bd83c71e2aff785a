"""The emulated USB link is real and sealed: the pair talks, the root namespace sees nothing."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys

import pytest

from tests.support.netns import V3_LINK, V41_LINK, ip, require_netns, usb_link

pytestmark = pytest.mark.netns
SUBNETS = [ipaddress.ip_network("172.16.42.0/24"), ipaddress.ip_network("10.42.1.0/24")]
ECHO = ("import socket,sys;s=socket.socket();s.bind((sys.argv[1],8080));s.listen();"
        "print('ready',flush=True);c,a=s.accept();c.sendall(a[0].encode());c.close()")
ASK = ("import socket,sys;c=socket.create_connection((sys.argv[1],8080),5);"
       "print(c.recv(100).decode())")


def root_view():
    """What the root namespace has: interface names, addresses and routes in the test subnets."""
    links = {row["ifname"] for row in json.loads(ip("-j", "link", "show").stdout)}
    addresses = [a["local"] for row in json.loads(ip("-j", "addr", "show").stdout)
                 for a in row.get("addr_info", [])]
    routes = [r["dst"] for r in json.loads(ip("-j", "route", "show", "table", "all").stdout)
              if r.get("dst") not in (None, "default")]

    def ours(text):
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return False
        return any(net.version == s.version and net.overlaps(s) for s in SUBNETS)

    return links, [a for a in addresses if ours(a)], [r for r in routes if ours(r)]


@pytest.mark.parametrize(("pc", "device"), [V3_LINK, V41_LINK])
def test_the_pair_talks_and_the_root_namespace_sees_none_of_it(pc, device):
    require_netns()
    links_before, addresses, routes = root_view()
    assert addresses == [] and routes == [], "the root namespace already uses a device subnet"
    with usb_link(pc, device, tag="t") as link:
        # The device reaches the PC's address, and the PC sees the device's address.
        server = link.popen("pc", [sys.executable, "-c", ECHO, link.pc_ip],
                            stdout=subprocess.PIPE, text=True)
        assert server.stdout.readline().strip() == "ready"
        got = link.run("device", [sys.executable, "-c", ASK, link.pc_ip], check=True)
        assert got.stdout.strip() == link.device_ip
        assert server.wait(10) == 0
        # Each side has only its own end and loopback, both up.
        shown = json.loads(link.run("pc", ["ip", "-j", "addr", "show"], check=True).stdout)
        assert {r["ifname"] for r in shown} == {"lo", "usb0"}
        assert all("UP" in r["flags"] for r in shown)
        # Meanwhile the root namespace has no new interface, address or route.
        links_during, addresses, routes = root_view()
        assert links_during == links_before and addresses == [] and routes == []
        names = (link.pc_ns, link.device_ns)
        assert all(n in ip("netns", "list").stdout for n in names)
        leftover = link.popen("device", ["sleep", "600"])
    assert leftover.poll() is not None  # processes started on the link die with it
    listed = ip("netns", "list").stdout
    assert not any(n in listed for n in names)


def test_the_link_is_removed_when_the_test_body_fails():
    require_netns()
    with pytest.raises(RuntimeError, match="boom"), usb_link(tag="t") as link:
        names = (link.pc_ns, link.device_ns)
        raise RuntimeError("boom")
    listed = ip("netns", "list").stdout
    assert not any(n in listed for n in names)


def test_the_root_namespace_cannot_reach_the_device_address():
    require_netns()
    with usb_link(*V3_LINK, tag="t") as link:
        # From the device namespace there is no way out but the pair: no default route.
        routes = link.run("device", ["ip", "-j", "route", "show"], check=True).stdout
        assert all(r.get("dst") != "default" for r in json.loads(routes))
        assert [r["dev"] for r in json.loads(routes)] == ["usb0"]
