"""The URL the device uses to reach the PC's server, and a check from the device that it answers."""

from __future__ import annotations

import ipaddress
import json
import shlex
from urllib.parse import urlsplit

from claude_carthing.device.generation import Generation
from claude_carthing.device.transport import DeviceError, Result, Transport

RNDIS_HOST = "172.16.42.1"  # v3/v4.0: the host's fixed address on the USB link


def check_server_url(url: str) -> str:
    """Return a normalized `http(s)://host:port` URL or raise a user-facing error."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeviceError(f"--server must look like http://HOST:PORT, not {url!r}")
    if parts.query or parts.fragment or parts.path not in ("", "/"):
        raise DeviceError(f"--server takes only scheme, host and port, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def host_as_seen_by_device(transport: Transport) -> str | None:
    """Return our own address as the device sees it (first field of `$SSH_CONNECTION`).

    Raises DeviceError for an IPv6 link-local address, which no URL can carry.
    """
    fields = transport.run('echo "$SSH_CONNECTION"').text.split()
    if not fields:
        return None
    try:
        address = ipaddress.ip_address(fields[0])
    except ValueError:
        return None
    if address.version == 6 and address.is_link_local:
        # fe80:: needs a zone (%usb0) that differs between the PC and the device, and a URL
        # cannot carry it to the page: the page could never reach the server this way.
        raise DeviceError(
            f"the device sees this PC at the IPv6 link-local address {fields[0]}, which the"
            " page cannot use; pass this PC's IPv4 address on the USB link, e.g."
            " --server http://10.42.1.91:8080 (see `ip addr` / `ipconfig`)"
        )
    return f"[{address}]" if address.version == 6 else str(address)


def derive_server_url(transport: Transport, generation: Generation, port: int) -> str:
    """Return the server URL the page on this device should use."""
    if generation is Generation.V4_1:
        host = host_as_seen_by_device(transport)
        if host is None:
            raise DeviceError("could not tell our address as the device sees it; pass --server")
        return f"http://{host}:{port}"
    return f"http://{RNDIS_HOST}:{port}"


def fetch_on_device(transport: Transport, url: str) -> Result:
    """GET a URL with the device's own wget (or curl), ended by a watchdog after 6 s."""
    quoted = shlex.quote(url)
    # No `wget -T`: some BusyBox builds crash on it. A watchdog ends a hung fetch instead.
    return transport.run(
        f"if command -v wget >/dev/null 2>&1; then wget -q -O - {quoted} & else"
        f" curl -fsS -m 5 {quoted} & fi; pid=$!; ( sleep 6; kill $pid ) >/dev/null 2>&1 &"
        " dog=$!; wait $pid; rc=$?; kill $dog 2>/dev/null; exit $rc"
    )


def check_from_device(transport: Transport, server_url: str) -> str | None:
    """Ask the device to fetch `<server>/health`; return a warning, or None when it answered."""
    result = fetch_on_device(transport, f"{server_url}/health")
    if result.code == 0:
        try:
            body = json.loads(result.out)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("status") == "ok":
            return None
        return (f"something answered at {server_url} from the device, but it is not"
                " claude-carthing's server (is another program using that port?)")
    return (
        f"the Car Thing could not reach {server_url}/health. Is `claude-carthing serve` running,"
        " listening on all addresses (not only 127.0.0.1), and allowed through the PC's firewall"
        " for the USB adapter? The page will keep retrying once the server is reachable."
    )
