"""Which device deploy talks to, and what its messages and options say (issue 17, 14, 15, 19).

No device and no network: discovery gets stand-in host addresses and a recording probe; the
one connection made is refused by a closed loopback port.
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from claude_carthing.cli import app
from claude_carthing.device import discovery, workflow
from claude_carthing.device.transport import DeviceError
from tests.support.live_server import free_port

runner = CliRunner()
NO_LINK = "No Car Thing on a USB link: plug it in, or run `claude-carthing usb-setup`"


def _recording_probe(asked: list[str]) -> discovery.Probe:
    def probe(host: str, _port: int, _timeout: float) -> bool:
        asked.append(host)
        return False
    return probe


# --- 15: without --device, only a device on a USB link this PC has -------------------------------

@pytest.mark.parametrize("run", [workflow.run_deploy, workflow.run_undeploy])
def test_without_a_usb_link_nothing_is_probed_and_the_message_says_so(run):
    asked: list[str] = []
    options = workflow.DeviceOptions(host_addresses=lambda: [], probe=_recording_probe(asked))
    with pytest.raises(DeviceError) as caught:
        run(options, lambda _line: None)
    assert asked == []  # never 172.16.42.2 on a LAN where that may be a real host
    assert str(caught.value) == NO_LINK


def test_addresses_off_the_usb_subnets_are_no_link():
    assert discovery.candidates(["192.168.1.5/24", "172.16.43.1/24"]) == []


@pytest.mark.parametrize(("host", "device"), [
    (["172.16.42.1/24"], ["172.16.42.2"]),                 # v3/v4.0 RNDIS, after usb-setup
    (["10.42.1.91/29"], ["10.42.1.90"]),                   # v4.1 NCM lease
    (["10.42.1.91/29", "172.16.42.1/24"], ["10.42.1.90", "172.16.42.2"]),
])
def test_the_device_address_follows_from_the_link_the_pc_has(host, device):
    assert discovery.candidates(host) == device


def test_a_link_where_nothing_answers_names_the_addresses_tried():
    asked: list[str] = []
    found = discovery.discover(["172.16.42.1/24"], 22, _recording_probe(asked))
    assert asked == ["172.16.42.2"] and found.found is None
    assert "172.16.42.2" in found.explain() and "--ssh-port" in found.explain()


def test_cli_deploy_with_no_usb_adapter_says_plug_it_in(monkeypatch):
    from claude_carthing.usb import discover as usb_discover

    monkeypatch.setattr(usb_discover, "find_adapters", lambda *_a, **_k: [])
    asked: list[object] = []

    def no_connection(address: object, *_a: object, **_k: object) -> object:
        asked.append(address)  # network rule: nothing may leave for a 172.16.42.x address
        raise ConnectionRefusedError(address)

    monkeypatch.setattr(discovery.socket, "create_connection", no_connection)
    result = runner.invoke(app, ["deploy", "--dry-run"])
    assert result.exit_code == 7, result.output
    assert NO_LINK in result.output and asked == []


# --- 14: one name for the SSH port ---------------------------------------------------------------

def _flags(text: str) -> set[str]:
    return set(re.findall(r"--[a-z][a-z-]*", text))


@pytest.mark.parametrize("command", ["deploy", "undeploy"])
def test_an_unreachable_device_names_ssh_port_only(command):
    result = runner.invoke(app, [command, "--device", "127.0.0.1", "--ssh-port",
                                 str(free_port()), "--dry-run"])
    assert result.exit_code == 7, result.output  # unreachable
    assert "--ssh-port" in result.output
    assert "--port" not in _flags(result.output)


@pytest.mark.parametrize("command", ["deploy", "undeploy"])
def test_the_old_port_alias_is_gone(command):
    result = runner.invoke(app, [command, "--device", "127.0.0.1", "--port", "22", "--dry-run"])
    assert result.exit_code == 2
    assert "--port" in result.output


# --- 19: the parser checks deploy's options -------------------------------------------------------

@pytest.mark.parametrize(("args", "flag"), [
    (["--ssh-port", "99999"], "--ssh-port"),
    (["--ssh-port", "0"], "--ssh-port"),
    (["--device", ""], "--device"),
    (["--device", "  "], "--device"),
])
@pytest.mark.parametrize("command", ["deploy", "undeploy"])
def test_a_bad_option_is_a_usage_error_naming_the_flag(command, args, flag):
    result = runner.invoke(app, [command, *args, "--dry-run"])
    assert result.exit_code == 2, result.output
    assert flag in result.output
