"""The emulated devices themselves: their own accounts, and the kiosk's exact argv recorded."""

from __future__ import annotations

import shlex

import pytest

from tests.device import layouts

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]


def _names(text: str) -> set[str]:
    return {line.split(":", 1)[0] for line in text.splitlines() if line}


def test_device_accounts_are_generated_never_copied_from_the_host(make_device):
    device = make_device("v3")
    # Only the device's own users: nothing of the host's account files reaches the temp folder.
    assert _names((device.workdir / "passwd").read_text()) == {"root", "sshd", "nobody"}
    shadow = (device.workdir / "shadow").read_text()
    assert _names(shadow) == {"root", "sshd", "nobody"}
    assert all(line.split(":")[1] in ("*",) for line in shadow.splitlines()[1:])


@pytest.mark.parametrize("generation", ["v3", "v4.0.0", "v4.0.6", "v4.0.7"])
def test_kiosk_browser_records_the_exact_argv_of_the_launch_file(make_device, generation):
    device = make_device(generation)
    argv = device.browser_argv()
    # The flags are the launch file's own, one argument each, in order, quotes removed.
    if generation == "v3":
        script = layouts.V3_RUN.split("exec /usr/bin/chromium", 1)[1]
        expected = shlex.split(script.replace("\\\n", " "))
    elif generation == "v4.0.7":
        expected = [*layouts.CHROME_FLAGS.split(), "--app=http://localhost:8080"]
    else:
        command = next(line for line in layouts.supervisord_conf(generation).splitlines()
                       if line.startswith("command=/usr/bin/chromium-browser/chrome"))
        expected = shlex.split(command)[1:]
    assert argv == expected
    assert argv[-1] == f"--app={device.stock_url}"


def test_a_quoted_url_reaches_the_browser_as_one_argument(make_device, cli):
    from tests.device.helpers import expected_url, ssh_args

    device = make_device("v4.0.6")
    server = "http://127.0.0.1:8765"
    assert cli("deploy", *ssh_args(device), "--server", server).exit_code == 0
    url = expected_url("v4.0.6", server)
    device.wait_for(lambda: device.browser_url() == url, "the browser on the page")
    assert device.browser_argv()[-1] == f"--app={url}"  # quotes gone, one argument
