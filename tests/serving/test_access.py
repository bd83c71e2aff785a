"""Who may read usage: the kiosk's page over USB, the server's own page, and non-browser clients.

A browser page from elsewhere (a `file://` page or a sandboxed frame on this PC, another local
web server) must not read `/usage` or `/api/history` or make us poll Claude, whether it calls
127.0.0.1 or this PC's own USB address. These checks run the app in-process with the client and
server addresses a real connection would have; tests/test_privacy_browsers.py repeats the
important ones in real browsers over a real link.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from starlette.testclient import TestClient

from claude_carthing.poller import Poller
from claude_carthing.serving.server import create_app
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.live_server import LiveServer

PC_USB = "172.16.42.1"  # this PC's end of the v3/v4.0 link
PC_LEASE = "10.42.1.91"  # this PC's end of a v4.1 link
DEVICES = ["172.16.42.2", "10.42.1.90", "::ffff:172.16.42.2"]
BROWSER_ORIGINS = ["null", "file://", "http://127.0.0.1:9999", "http://localhost:3000",
                   "https://evil.example"]
READS = ["/usage", "/api/history", "/health", "/"]


def make_client(fake_upstream, client_ip, server_ip="127.0.0.1", **settings):
    """The app as a connection from `client_ip` to `server_ip`:8080 would see it."""
    creds.write_oauth()
    config = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=1.0,
                           **settings)
    poller = Poller(ClaudeSource(config), interval=300)
    poller.poll_once()
    asked: list[bool] = []
    real = poller.request_refresh

    def counting():
        asked.append(True)
        return real()

    poller.request_refresh = counting
    host = f"[{server_ip}]" if ":" in server_ip else server_ip
    client = TestClient(create_app(poller, config), base_url=f"http://{host}:8080",
                        client=(client_ip, 50000))
    return client, asked


def assert_refused(response):
    assert response.status_code == 403, response.text
    assert "access-control-allow-origin" not in response.headers
    assert "five_hour" not in response.text and "series" not in response.text


@pytest.mark.parametrize("origin", BROWSER_ORIGINS)
@pytest.mark.parametrize(("client_ip", "server_ip"), [
    ("127.0.0.1", "127.0.0.1"), ("::1", "::1"), (PC_USB, PC_USB), (PC_LEASE, PC_LEASE)])
def test_browser_pages_on_this_pc_can_neither_read_nor_trigger_a_read(
        fake_upstream, origin, client_ip, server_ip):
    client, asked = make_client(fake_upstream, client_ip, server_ip)
    for path in READS:
        assert_refused(client.get(path, headers={"Origin": origin, "Accept": "*/*"}))
    assert_refused(client.post("/api/refresh", headers={"Origin": origin}))
    preflight = client.options("/usage", headers={"Origin": origin,
                                                  "Access-Control-Request-Method": "GET"})
    assert_refused(preflight)
    assert asked == []


@pytest.mark.parametrize("origin", ["null", "file://"])
@pytest.mark.parametrize("device_ip", DEVICES)
def test_the_kiosk_page_on_the_device_reads_and_refreshes(fake_upstream, origin, device_ip):
    # v3/v4.0 run the kiosk with --allow-file-access-from-files: its file:// page sends
    # `Origin: file://`; v4.1's cast_shell sends `null`.
    server_ip = PC_LEASE if device_ip.startswith("10.") else PC_USB
    client, asked = make_client(fake_upstream, device_ip, server_ip)
    usage = client.get("/usage", headers={"Origin": origin})
    assert usage.status_code == 200 and usage.json()["five_hour"]["utilization"] == 15.0
    assert usage.headers["access-control-allow-origin"] == origin
    history = client.get("/api/history", headers={"Origin": origin})
    assert history.status_code == 200
    assert history.headers["access-control-allow-origin"] == origin
    preflight = client.options("/api/refresh", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert client.post("/api/refresh", headers={"Origin": origin}).status_code in (202, 429)
    assert asked == [True]


def test_a_device_subnet_address_that_is_this_pcs_own_is_not_a_device(fake_upstream):
    # A page in the PC's browser calling the PC's USB address arrives from that address.
    client, _ = make_client(fake_upstream, PC_USB, PC_LEASE)
    client.app.own_address = lambda address: address == PC_USB  # as bind() would say
    assert_refused(client.get("/usage", headers={"Origin": "file://"}))


@pytest.mark.parametrize(("client_ip", "server_ip"), [
    ("127.0.0.1", "127.0.0.1"), (PC_USB, PC_USB), ("172.16.42.2", PC_USB)])
def test_the_servers_own_page_always_works(fake_upstream, client_ip, server_ip):
    client, asked = make_client(fake_upstream, client_ip, server_ip)
    own = f"http://{server_ip}:8080"
    usage = client.get("/usage", headers={"Origin": own})
    assert usage.status_code == 200 and usage.json()["five_hour"]["utilization"] == 15.0
    assert client.get("/api/history", headers={"Origin": own}).status_code == 200
    assert client.post("/api/refresh", headers={"Origin": own}).status_code in (202, 429)
    assert asked == [True]
    # Another port or scheme on the same host is another origin.
    for other in (f"http://{server_ip}:8081", f"https://{server_ip}:8080"):
        assert_refused(client.get("/usage", headers={"Origin": other}))


@pytest.mark.parametrize(("client_ip", "server_ip"), [
    ("127.0.0.1", "127.0.0.1"), (PC_USB, PC_USB), ("172.16.42.2", PC_USB),
    ("10.42.1.90", PC_LEASE)])
def test_clients_without_an_origin_work_as_before(fake_upstream, client_ip, server_ip):
    # curl, the original project's relay (BusyBox wget/curl), scripts.
    client, asked = make_client(fake_upstream, client_ip, server_ip)
    assert client.get("/usage").json()["five_hour"]["utilization"] == 15.0
    assert client.get("/api/history").status_code == 200
    assert client.post("/api/refresh").status_code in (202, 429)
    assert asked == [True]


def test_configured_origins_are_allowed_from_any_allowed_address(fake_upstream):
    client, _ = make_client(fake_upstream, "127.0.0.1",
                                cors_origins="http://dash.example,null")
    for origin in ("http://dash.example", "null"):
        usage = client.get("/usage", headers={"Origin": origin})
        assert usage.headers["access-control-allow-origin"] == origin
    assert client.post("/api/refresh", headers={"Origin": "null"}).status_code in (202, 429)
    assert_refused(client.get("/usage", headers={"Origin": "file://"}))


@pytest.mark.parametrize("origin", ["null", "file://"])
def test_a_widened_allow_list_lets_no_file_page_read(fake_upstream, origin):
    # A sandboxed frame (`null`) in a browser on the allowed LAN is no Car Thing.
    client, asked = make_client(fake_upstream, "198.18.9.20", "198.18.9.5",
                                allow="198.18.9.0/24")
    for path in READS:
        assert_refused(client.get(path, headers={"Origin": origin, "Accept": "*/*"}))
    assert_refused(client.post("/api/refresh", headers={"Origin": origin}))
    assert asked == []
    # The LAN gets the server's own page (same origin), and plain clients as before.
    own = client.get("/usage", headers={"Origin": "http://198.18.9.5:8080"})
    assert own.status_code == 200 and own.json()["five_hour"]["utilization"] == 15.0
    assert client.get("/usage").status_code == 200


@pytest.mark.parametrize(("client_ip", "server_ip"), [
    ("10.42.1.93", PC_LEASE),  # the same /29 as the PC's lease, but not its .8k+2
    ("10.42.1.10", PC_LEASE),  # another device's /29
    ("10.42.1.2", "127.0.0.1"),  # a .8k+2 address, but the PC has no lease in its /29
    ("172.16.42.3", PC_USB),  # the RNDIS subnet, but not the Car Thing's address
    ("172.16.42.99", PC_USB)])
def test_only_the_car_thing_itself_may_send_a_file_origin(fake_upstream, client_ip, server_ip):
    client, asked = make_client(fake_upstream, client_ip, server_ip)
    for origin in ("null", "file://"):
        assert_refused(client.get("/usage", headers={"Origin": origin}))
        assert_refused(client.post("/api/refresh", headers={"Origin": origin}))
    assert asked == []
    assert client.get("/usage").status_code == 200  # without Origin: as before


def test_the_address_deploy_recorded_counts_as_the_car_thing(fake_upstream):
    from claude_carthing import paths

    # deploy --device 198.18.9.20 trusted that device's host key on first use, by address.
    known = paths.device_dir() / "known_hosts"
    known.parent.mkdir(parents=True, exist_ok=True)
    known.write_text("198.18.9.20 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKE\n"
                     "[198.18.9.21]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKF\n",
                     encoding="utf-8")
    for device in ("198.18.9.20", "198.18.9.21"):
        client, asked = make_client(fake_upstream, device, "198.18.9.5", allow="198.18.9.0/24")
        usage = client.get("/usage", headers={"Origin": "null"})
        assert usage.status_code == 200 and usage.headers["access-control-allow-origin"] == "null"
        assert client.post("/api/refresh", headers={"Origin": "null"}).status_code in (202, 429)
        assert asked == [True]
    other, _ = make_client(fake_upstream, "198.18.9.22", "198.18.9.5", allow="198.18.9.0/24")
    assert_refused(other.get("/usage", headers={"Origin": "null"}))


def http(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


FORGED = {"X-Forwarded-For": "172.16.42.2", "X-Real-IP": "172.16.42.2",
          "Forwarded": "for=172.16.42.2;proto=http", "X-Forwarded-Proto": "http"}


def test_forged_forwarding_headers_are_ignored(fake_upstream):
    # uvicorn trusts X-Forwarded-For from loopback unless told not to: a page on this PC could
    # then pass for the device.
    with LiveServer(upstream=fake_upstream) as server:
        for origin in ("null", "file://"):
            status, _, body = http(server.url + "/usage",
                                         headers={**FORGED, "Origin": origin})
            assert status == 403 and b"five_hour" not in body
            status, _, _ = http(server.url + "/api/refresh", "POST",
                                headers={**FORGED, "Origin": origin})
            assert status == 403
        status, _, body = http(server.url + "/usage", headers=FORGED)  # curl still works
        assert status == 200 and json.loads(body)["five_hour"]["utilization"] == 15.0


def test_own_address_tells_this_machines_addresses_from_others():
    from claude_carthing.serving.guard import own_address

    assert own_address("127.0.0.1") and own_address("::ffff:127.0.0.1")
    assert not own_address("192.0.2.55")  # TEST-NET-1: never assigned here
    assert not own_address("not an address") and not own_address("")


@pytest.mark.netns
def test_own_address_inside_the_pcs_namespace_knows_its_usb_address():
    from claude_carthing.serving.guard import own_address
    from tests.support.netns import in_netns, require_netns, usb_link

    require_netns()
    with usb_link(tag="a") as link:
        assert in_netns(link.pc_ns, lambda: own_address(link.pc_ip))
        assert not in_netns(link.pc_ns, lambda: own_address(link.device_ip))
        assert in_netns(link.device_ns, lambda: own_address(link.device_ip))
