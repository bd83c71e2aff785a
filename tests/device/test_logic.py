"""Discovery and kiosk edits as plain functions: no device, no network."""

from __future__ import annotations

from claude_carthing.device import discovery, kiosk
from claude_carthing.device.workflow import clock_command
from tests.device import layouts

URL = "file:///var/lib/claude-carthing/page/index.html?server=http://127.0.0.1:8080"


def test_candidates_derive_the_ncm_device_from_the_host_lease():
    # v4.1: host got .91 of the /29 starting at .88, so the device is .90; RNDIS is always tried.
    assert discovery.candidates(["10.42.1.91/29", "192.168.1.5/24"]) == ["10.42.1.90",
                                                                        "172.16.42.2"]
    assert discovery.candidates([]) == ["172.16.42.2"]
    assert discovery.candidates(["10.42.1.3"]) == ["10.42.1.2", "172.16.42.2"]


def test_discover_uses_the_injected_probe_only_and_explains_failure():
    asked: list[tuple[str, int]] = []

    def probe(host: str, port: int, _timeout: float) -> bool:
        asked.append((host, port))
        return host == "10.42.1.90"

    found = discovery.discover(["10.42.1.91/29"], 22, probe)
    assert found.found == "10.42.1.90"
    assert asked == [("10.42.1.90", 22)]
    nothing = discovery.discover([], 22, lambda *_a: False)
    assert nothing.found is None
    assert "172.16.42.2" in nothing.explain() and "usb-setup" in nothing.explain()


def test_v3_run_file_edit_changes_only_the_app_flag():
    edited = kiosk.set_app_flag(layouts.V3_RUN, URL)
    assert f"--app='{URL}'" in edited
    assert edited.replace(f"--app='{URL}'", "--app=http://localhost:80") == layouts.V3_RUN
    assert kiosk.set_app_flag(edited, URL) == edited  # idempotent
    assert kiosk.app_flag(edited) == URL


def test_supervisord_edits_command_on_400_and_environment_on_406():
    v400 = kiosk.set_supervisord_url(layouts.V40_SUPERVISORD, URL)
    assert kiosk.supervisord_url(v400) == URL
    assert "NOCTURNE_CHROMIUM_URL" not in v400
    v406 = kiosk.set_supervisord_url(layouts.V406_SUPERVISORD, URL)
    assert f'XDG_CACHE_HOME="/var/cache",NOCTURNE_CHROMIUM_URL="{URL}"' in v406
    assert kiosk.supervisord_url(v406) == URL
    assert kiosk.set_supervisord_url(v406, URL) == v406
    # Other programs' environment lines are untouched.
    assert 'environment=RUST_LOG="info", NOCTURNE_WEBAPPS_DIR="/etc/nocturne/ui"' in v406


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


def test_clock_command_is_busybox_date_in_utc():
    assert clock_command(0) == "date -u -s '1970-01-01 00:00:00' >/dev/null"
