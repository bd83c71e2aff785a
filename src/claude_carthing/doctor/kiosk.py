"""Doctor's kiosk check: read the kiosk URL the way deploy writes it, and compare."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from claude_carthing import __version__
from claude_carthing.doctor.model import Check, Timer

if TYPE_CHECKING:
    from claude_carthing.device.generation import DeviceInfo
    from claude_carthing.device.layout import Layout
    from claude_carthing.device.transport import Transport

NAME = "kiosk page"
START = "kiosk start"
DEPLOY = "Run `claude-carthing deploy`."
NOCTURNED_FIX = ("Restart nocturned (`supervisorctl restart nocturned` on the device, over SSH)"
                 " or restart the Car Thing; the kiosk starts as soon as nocturned answers.")


def _configured_url(transport: Transport, layout: Layout) -> str | None:
    """Return the URL the kiosk's configuration file makes the browser open, or None."""
    from claude_carthing.device.transport import DeviceError

    raw = transport.read(layout.kiosk_file)
    text = raw.decode("utf-8", "replace") if raw is not None else None
    try:
        return layout.read_url(text)
    except DeviceError:  # e.g. a supervisord.conf without [program:chromium]
        return None


def _is_our_page(url: str | None, layout: Layout) -> bool:
    page = f"file://{layout.page_dir}/index.html"
    return url is not None and (url == page or url.startswith(page + "?"))


def _server_of(url: str) -> str | None:
    found = parse_qs(urlsplit(url).query).get("server")
    return found[0] if found else None


def check_kiosk(transport: Transport, info: DeviceInfo, server_url: str | None) -> Check:
    """[OK] deployed and current, [WARN] deployed for another server or version, else [FAIL]."""
    from claude_carthing.device.layout import LAYOUTS, MANIFEST
    from claude_carthing.device.plan import kiosk_url, shown_url

    timer = Timer()
    layout = LAYOUTS[info.generation]
    full = _configured_url(transport, layout)
    url = shown_url(full) if full else full  # the approvals secret is never shown
    deployed_before = transport.read(MANIFEST) is not None
    data: dict[str, object] = {"kiosk_file": layout.kiosk_file, "url": url,
                               "manifest": deployed_before}
    if not _is_our_page(url, layout):
        shown = f"the kiosk opens {url}" if url else f"{layout.kiosk_file} sets no kiosk URL"
        if deployed_before:
            # The manifest survives on /var; a firmware update rewrites the kiosk file.
            summary = f"{shown}, not our page: deploy's edit is gone (a firmware update?)"
        else:
            summary = f"{shown}: Nocturne's own UI, not our page (not deployed)"
        return Check(NAME, "fail", summary, DEPLOY, timer.ms, data)
    assert url is not None  # noqa: S101 - _is_our_page said so
    if server_url is None:
        return Check(NAME, "warn", f"the kiosk opens our page ({url}), but this PC's address "
                     "on the USB link is unknown, so its server URL cannot be compared",
                     "Pass --server-host ADDRESS (this PC as the device sees it).", timer.ms, data)
    expected = kiosk_url(layout.page_dir, server_url)
    data["expected"] = expected
    reversed_dial = parse_qs(urlsplit(url).query).get("dial") == ["reverse"]
    dial = ", dial reversed" if reversed_dial else ""
    if _server_of(url) != server_url:
        other = _server_of(url) or "no server"
        return Check(NAME, "warn", f"our page is deployed but asks {other} for data, not "
                     f"{server_url}", f"{DEPLOY[:-1]} (add --server URL if the device reaches "
                     "this PC at another address).", timer.ms, data)
    stale = _stale_page_files(transport, info, server_url)
    if stale:
        data["page_differs"] = stale
        return Check(NAME, "warn", f"the kiosk opens our page for {server_url}{dial}, but"
                     f" {stale}", f"{DEPLOY[:-1]} to update it.", timer.ms, data)
    return Check(NAME, "ok", f"the kiosk opens our page for {server_url}{dial}", None, timer.ms,
                 data)


def check_kiosk_start(transport: Transport, info: DeviceInfo) -> Check | None:
    """v4.0.7's start-chromium waits, forever, for nocturned: say whether it answers.

    None for kiosks that start their browser without waiting (v3, v4.0.0-v4.0.6, v4.1).
    """
    from claude_carthing.device import kiosk, reach
    from claude_carthing.device.generation import Generation
    from claude_carthing.device.transport import DeviceError

    timer = Timer()
    if info.generation is not Generation.V4_0:
        return None
    raw = transport.read("/etc/supervisord.conf")
    conf = raw.decode("utf-8", "replace") if raw is not None else ""
    try:
        if not kiosk.starts_through_launcher(conf):
            return None
    except DeviceError:
        return None
    launcher = transport.read(kiosk.START_CHROMIUM)
    url = kiosk.launcher_wait_url(conf, launcher.decode("utf-8", "replace") if launcher else None)
    data = {"waits_for": url}
    if reach.fetch_on_device(transport, url).code == 0:
        return Check(START, "ok", f"nocturned answers at {url}, so {kiosk.START_CHROMIUM}"
                     " starts the browser", None, timer.ms, data)
    return Check(START, "fail", f"the kiosk cannot start: {kiosk.START_CHROMIUM} waits until"
                 f" nocturned answers at {url}, and nothing answers there", NOCTURNED_FIX,
                 timer.ms, data)


def _stale_page_files(transport: Transport, info: DeviceInfo, server_url: str) -> str | None:
    """Return how the page on the device differs from this version's, or None when it matches."""
    from claude_carthing.device.page import page_files
    from claude_carthing.device.plan import build_plan
    from claude_carthing.device.transport import DeviceError

    try:
        # The plan of a deploy is computed read-only: exactly what deploy would still change.
        plan = build_plan(transport, info, server_url, page_files())
    except (DeviceError, OSError) as exc:
        return f"its files could not be compared ({exc})"
    changed = len(plan.page_writes) + len(plan.page_removals)
    if changed:
        return f"{changed} page file(s) differ from claude-carthing {__version__}'s page"
    return None
