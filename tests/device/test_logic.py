"""Discovery and kiosk edits as plain functions: no device, no network."""

from __future__ import annotations

import io
import zoneinfo
from datetime import datetime, timezone
from pathlib import Path

import pytest

from claude_carthing.device import discovery, kiosk
from claude_carthing.device.clock import clock_commands
from claude_carthing.device.generation import Generation
from claude_carthing.device.hostzone import fixed_offset_tzif, host_zone
from tests.device import layouts

URL = "file:///var/lib/claude-carthing/page/index.html?server=http://127.0.0.1:8080"


def test_candidates_derive_the_ncm_device_from_the_host_lease():
    # v4.1: host got .91 of the /29 starting at .88, so the device is .90; RNDIS only when this
    # PC has an address on its link (no guess: see test_reaching_the_device.py).
    assert discovery.candidates(["10.42.1.91/29", "192.168.1.5/24"]) == ["10.42.1.90"]
    assert discovery.candidates([]) == []
    assert discovery.candidates(["10.42.1.3"]) == ["10.42.1.2"]


def test_discover_uses_the_injected_probe_only_and_explains_failure():
    asked: list[tuple[str, int]] = []

    def probe(host: str, port: int, _timeout: float) -> bool:
        asked.append((host, port))
        return host == "10.42.1.90"

    found = discovery.discover(["10.42.1.91/29"], 22, probe)
    assert found.found == "10.42.1.90"
    assert asked == [("10.42.1.90", 22)]
    nothing = discovery.discover(["172.16.42.1/24"], 22, lambda *_a: False)
    assert nothing.found is None
    assert "172.16.42.2" in nothing.explain() and "--device" in nothing.explain()
    assert "usb-setup" in discovery.discover([], 22, lambda *_a: False).explain()


def test_v3_run_file_edit_changes_only_the_app_flag():
    edited = kiosk.set_app_flag(layouts.V3_RUN, URL)
    assert f"--app='{URL}'" in edited
    assert edited.replace(f"--app='{URL}'", "--app=http://localhost:80") == layouts.V3_RUN
    assert kiosk.set_app_flag(edited, URL) == edited  # idempotent
    assert kiosk.app_flag(edited) == URL


@pytest.mark.parametrize(("variant", "stock"), [("v4.0.0", "http://localhost:80"),
                                                  ("v4.0.6", "http://localhost:8080")])
def test_supervisord_with_the_browser_command_gets_its_app_flag_edited(variant, stock):
    # v4.0.0-v4.0.6 carry the whole browser command on command=: only its --app= changes.
    conf = layouts.supervisord_conf(variant)
    assert kiosk.supervisord_url(conf) == stock
    edited = kiosk.set_supervisord_url(conf, URL)
    assert "NOCTURNE_CHROMIUM_URL" not in edited
    assert edited.replace(f"--app='{URL}'", f"--app={stock}") == conf
    assert kiosk.supervisord_url(edited) == URL
    assert kiosk.set_supervisord_url(edited, URL) == edited


def test_supervisord_starting_start_chromium_gets_the_url_in_its_environment():
    conf = layouts.supervisord_conf("v4.0.7")
    assert kiosk.supervisord_url(conf) is None  # start-chromium's own default applies
    edited = kiosk.set_supervisord_url(conf, URL)
    assert f'XDG_CACHE_HOME="/var/cache",NOCTURNE_CHROMIUM_URL="{URL}"' in edited
    assert kiosk.supervisord_url(edited) == URL
    assert kiosk.set_supervisord_url(edited, URL) == edited
    # Other programs' environment lines are untouched.
    assert ('environment=RUST_LOG="nocturned=info,iap2_rs=info,bluer=info",'
            ' NOCTURNE_WEBAPPS_DIR="/etc/nocturne/ui"') in edited


def test_supervisord_with_an_unknown_chromium_command_is_refused_not_guessed():
    # Neither an --app= flag nor /bin/start-chromium: an environment variable would do nothing.
    text = "[program:chromium]\ncommand=/usr/bin/other-launcher --kiosk\n"
    with pytest.raises(kiosk.DeviceError, match="other-launcher"):
        kiosk.set_supervisord_url(text, URL)


def test_supervisord_without_environment_line_gets_one():
    text = "[program:chromium]\ncommand=/bin/start-chromium\nautostart=true\n"
    edited = kiosk.set_supervisord_url(text, URL)
    assert edited == (f"[program:chromium]\ncommand=/bin/start-chromium\n"
                      f'environment=NOCTURNE_CHROMIUM_URL="{URL}"\nautostart=true\n')


def test_kiosk_env_keeps_other_lines():
    assert kiosk.set_kiosk_env(None, URL) == f"KIOSK_URL='{URL}'\n"
    edited = kiosk.set_kiosk_env("KIOSK_EXTRA=--x\nKIOSK_URL=http://old/\n", URL)
    assert edited == f"KIOSK_EXTRA=--x\nKIOSK_URL='{URL}'\n"
    assert kiosk.kiosk_env_url(edited) == URL


def test_urls_that_could_break_quoting_are_refused():
    for bad in ("file:///x?server=http://a'b", "file:///x y", "file:///$(reboot)"):
        try:
            kiosk.set_kiosk_env(None, bad)
        except kiosk.DeviceError:
            continue
        raise AssertionError(bad)


def test_clock_commands_set_utc_the_generation_s_way():
    assert clock_commands(Generation.V3, 0) == [
        "date -u -s '1970-01-01 00:00:00' >/dev/null", "hwclock -w -u >/dev/null 2>&1; true"]
    assert clock_commands(Generation.V4_1, 86400) == [
        "timedatectl set-time @86400 2>/dev/null || date -u -s '1970-01-02 00:00:00' >/dev/null"]


@pytest.mark.parametrize(("offset", "rule"), [(19800, "<+0530>-5:30"), (-10800, "<-03>+3"),
                                                (0, "<+00>+0")])
def test_fixed_offset_zone_is_a_valid_tzif_file(offset, rule):
    data = fixed_offset_tzif(offset)
    assert data.startswith(b"TZif2") and data.endswith(f"\n{rule}\n".encode())
    zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(data))
    for month in (1, 7):  # no daylight saving: the same offset all year
        moment = datetime(2026, month, 1, tzinfo=timezone.utc).astimezone(zone)
        assert moment.utcoffset().total_seconds() == offset


def test_host_zone_reads_tz_name_then_localtime(tmp_path):
    berlin_file = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not berlin_file.is_file():
        pytest.skip("no tzdata (/usr/share/zoneinfo) on this machine")
    berlin = berlin_file.read_bytes()
    named = host_zone({"TZ": "Europe/Berlin"})
    assert named.name == "Europe/Berlin" and named.tzif == berlin
    link = tmp_path / "etc" / "localtime"
    link.parent.mkdir()
    link.symlink_to(berlin_file)
    # A POSIX rule in TZ is not a zone file: the OS's /etc/localtime link names the zone.
    fallback = host_zone({"TZ": "CET-1CEST"}, localtime=link)
    assert fallback.name == "Europe/Berlin" and fallback.tzif == berlin
    windows_like = host_zone({}, localtime=tmp_path / "missing")
    assert windows_like.name is None and windows_like.tzif.startswith(b"TZif2")
    assert "no zone name known" in windows_like.describe()


def test_v3_kiosk_counts_as_back_only_when_chromium_itself_runs():
    from claude_carthing.device.deploy import is_running
    from claude_carthing.device.layout import LAYOUTS

    v3 = LAYOUTS[Generation.V3]
    assert is_running(v3, "run: chromium: (pid 812) 3s; run: log: (pid 97) 310s")
    assert is_running(v3, "run: chromium: (pid 812) 3s\n")
    # Chromium is down; only its log service runs.
    assert not is_running(v3, "down: chromium: 1s, normally up; run: log: (pid 97) 310s")
    assert not is_running(v3, "fail: chromium: runsv not running")


class _SshConnection:
    """Answers only `echo "$SSH_CONNECTION"`, as a device's shell would."""

    def __init__(self, value: str) -> None:
        self.value = value

    def run(self, command: str, stdin: bytes | None = None):
        from claude_carthing.device.transport import Result

        assert command == 'echo "$SSH_CONNECTION"'
        return Result(0, self.value.encode() + b"\n", b"")


def test_kiosk_url_keeps_an_ipv6_server_usable():
    from claude_carthing.device.plan import kiosk_url

    url = kiosk_url("/var/lib/claude-carthing/page", "http://[::1]:8080")
    assert url == "file:///var/lib/claude-carthing/page/index.html?server=http://[::1]:8080"
    assert kiosk.set_app_flag("exec chromium --app='about:blank'", url) == (
        f"exec chromium --app='{url}'")


def test_v41_server_from_a_global_ipv6_ssh_connection_is_bracketed():
    from claude_carthing.device import reach
    from claude_carthing.device.plan import kiosk_url

    answer = _SshConnection("fd00:42::91 51234 fd00:42::90 22")
    url = reach.derive_server_url(answer, Generation.V4_1, 8080)  # type: ignore[arg-type]
    assert url == "http://[fd00:42::91]:8080"
    assert kiosk_url("/p", url) == "file:///p/index.html?server=http://[fd00:42::91]:8080"


@pytest.mark.parametrize("seen", ["fe80::1c2d:3eff:fe4f:5061", "fe80::1c2d:3eff:fe4f:5061%usb0"])
def test_v41_link_local_ssh_connection_asks_for_an_ipv4_server(seen):
    from claude_carthing.device import reach
    from claude_carthing.device.transport import DeviceError

    answer = _SshConnection(f"{seen} 51234 fe80::2 22")
    with pytest.raises(DeviceError, match=r"link-local.*--server http://"):
        reach.derive_server_url(answer, Generation.V4_1, 8080)  # type: ignore[arg-type]
