"""After the kiosk restarts, deploy asks the browser (debug port, through SSH) what it shows."""

from __future__ import annotations

import pytest

from claude_carthing.device import devtools
from tests.device.emulator import free_port
from tests.device.helpers import expected_url, ssh_args

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]
SERVER = "http://127.0.0.1:8765"


@pytest.mark.parametrize("generation", ["v3", "v4.0.6", "v4.0.7", "v4.1"])
def test_deploy_reports_page_loaded_from_the_debug_port(make_device, cli, generation):
    device = make_device(generation, devtools=True)
    result = cli("deploy", *ssh_args(device), "--server", SERVER,
                 "--debug-port", str(device.debug_port))
    assert result.exit_code == 0, result.output
    assert "Page loaded: the browser shows the page" in result.output
    assert expected_url(generation, SERVER) in device.read("/run/emu/devtools/json").decode()


def test_browser_still_on_the_stock_ui_gives_a_clear_warning(make_device, cli, monkeypatch):
    monkeypatch.setattr(devtools, "PAGE_TIMEOUT_S", 1.5)
    device = make_device("v4.1", devtools=True)
    device.path("/run/emu/devtools-stuck").write_text("")  # the browser ignores the new URL
    result = cli("deploy", *ssh_args(device), "--server", SERVER,
                 "--debug-port", str(device.debug_port))
    assert result.exit_code == 0, result.output
    assert ("warning: the kiosk restarted, but the browser shows http://127.0.0.1:8080/"
            " instead of the page") in result.output
    assert "Page loaded" not in result.output


def test_unreachable_debug_port_falls_back_to_the_service_state(make_device, cli):
    device = make_device("v3")  # no debug-port responder
    result = cli("deploy", *ssh_args(device), "--server", SERVER,
                 "--debug-port", str(free_port()))
    assert result.exit_code == 0, result.output
    assert "Deployed" in result.output
    assert "warning: could not ask the browser what it shows" in result.output
    assert "relying on the service state" in result.output
