"""The link drops after any step of deploy or undeploy: the next deploy or undeploy finishes the job.

A transport wrapper passes the first N commands to the device and then behaves like a pulled
cable (every later command fails, nothing more reaches the device). For every N of a deploy
and of an undeploy, on every variant, the next run must finish the job: the stock files come
back byte for byte, the kiosk shows the right URL, no backup ever holds our own edit, and
undeploy never says "nothing to undo" while anything of ours is left.

To keep this to a few minutes on a busy machine: commands reach the emulated device's BusyBox
sh through `nsenter` rather than SSH (a third of the cost per command; SSH failures have their
own tests in test_failures.py), the page is two small files (every page file is written the
same way), the device is reset to stock from the host between cuts, and a cut that leaves the
device in a state already recovered from once is not recovered from again.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable

import pytest

from claude_carthing.device.deploy import apply, undeploy
from claude_carthing.device.generation import detect
from claude_carthing.device.plan import build_plan
from claude_carthing.device.transport import DeviceError, Result, Transport
from tests.device.emulator import EmulatedDevice
from tests.device.helpers import KIOSK_FILE, STATE, VARIANTS, expected_url

pytestmark = [pytest.mark.ssh, pytest.mark.busybox]
SERVERS = ("http://127.0.0.1:8765", "http://127.0.0.1:8766", "http://127.0.0.1:8767")
PAGE = {"index.html": b"<!doctype html><title>page</title>\n", "app.js": b"// the page\n"}
RESTART_STOCK = {
    "v3": "sv restart chromium",
    "v4.1": "systemctl restart chromium-kiosk",
}
SUPERVISORD = "supervisorctl reread; supervisorctl update; supervisorctl restart chromium"


class Cut(DeviceError):
    """The test's pulled cable."""


class DeviceShell(Transport):
    """Runs each command with the emulated device's own BusyBox sh, chrooted into its files."""

    def __init__(self, device: EmulatedDevice) -> None:
        self.device = device

    def run(self, command: str, stdin: bytes | None = None) -> Result:
        """Run one command on the device."""
        done = subprocess.run(
            ["nsenter", "-t", str(self.device.ns_pid), "-m", "-p", "--", "chroot", "/srv",
             "/bin/sh", "-c", command], input=stdin or b"", capture_output=True,
            check=False, timeout=60)
        return Result(done.returncode, done.stdout, done.stderr)


class CutLink(Transport):
    """A transport that stops passing commands after `after` of them."""

    def __init__(self, inner: Transport, after: int | None) -> None:
        self.inner = inner
        self.after = after
        self.steps = 0

    def run(self, command: str, stdin: bytes | None = None) -> Result:
        """Pass the command on, unless the link is already cut."""
        if self.after is not None and self.steps >= self.after:
            raise Cut("the SSH connection to the device stopped working (cable pulled)")
        self.steps += 1
        return self.inner.run(command, stdin)


def deploy(transport: Transport, server: str) -> None:
    """What `claude-carthing deploy` does on the device (detect, plan, apply)."""
    from claude_carthing.device.workflow import approvals_key

    info = detect(transport)
    apply(transport, build_plan(transport, info, server, PAGE, key=approvals_key()),
          lambda _line: None)


def run_undeploy(transport: Transport) -> None:
    """What `claude-carthing undeploy` does on the device."""
    undeploy(transport, lambda _line: None)


def steps_of(action: Callable[[Transport], None], transport: Transport) -> int:
    """Run an action uncut and return how many commands it sent."""
    counted = CutLink(transport, None)
    action(counted)
    return counted.steps


def cut_after(action: Callable[[Transport], None], transport: Transport, n: int) -> None:
    """Run an action with the link cut after its first `n` commands."""
    try:
        action(CutLink(transport, n))
    except DeviceError as exc:
        assert isinstance(exc, Cut) or "cable pulled" in str(exc), exc


def state(device: EmulatedDevice) -> str:
    """Return a fingerprint of everything a run could have changed, files and runtime."""
    runtime = [device.root_readonly(), device.path("/run/claude-carthing.rw").exists(),
               device.browser_url(), device.read("/run/emu/supervisord.loaded")]
    files = sorted(device.snapshot(only=("etc", "var", "opt")).items())
    return hashlib.sha256(repr((files, runtime)).encode()).hexdigest()


def reset(device: EmulatedDevice, variant: str, target: dict[str, tuple[str, int, bytes]],
          url: str) -> None:
    """Put the device's files back to `target` from the host, and its kiosk on `url`."""
    device.restore(target)
    loaded = device.read("/run/emu/supervisord.loaded")
    if (device.browser_url() == url and not device.path("/run/claude-carthing.rw").exists()
            and loaded in (None, device.read("/etc/supervisord.conf"))):
        return
    restart = RESTART_STOCK.get(variant, SUPERVISORD)
    done = device.run_inside(f"rm -f /run/claude-carthing.rw; {restart} >/dev/null")
    assert done.returncode == 0, done.stderr
    device.wait_for(lambda: device.browser_url() == url, "the kiosk back on its page")


def backups(device: EmulatedDevice) -> dict[str, bytes]:
    """Return every backup file on the device."""
    root = device.path(f"{STATE}/backup")
    return {"/" + str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*") if p.is_file()} if root.is_dir() else {}


def check_backups(device: EmulatedDevice, stock: dict[str, tuple[str, int, bytes]]) -> None:
    """A backup only ever holds the stock bytes of its file, never our edit."""
    for path, data in backups(device).items():
        assert stock[path][2] == data, f"the backup of {path} is not the stock file"


def stock_again(device: EmulatedDevice, stock: dict[str, tuple[str, int, bytes]],
                what: str) -> None:
    """Undeploy left the device exactly as it shipped, its root read-only, the stock kiosk up."""
    now = device.snapshot()
    changed = sorted(p for p in set(now) | set(stock) if now.get(p) != stock.get(p))
    assert not changed, f"{what}: not stock: {changed}"
    assert device.root_readonly(), what
    device.wait_for(lambda: device.browser_url() == device.stock_url, f"{what}: stock kiosk")


def deployed(device: EmulatedDevice, variant: str, server: str, what: str) -> None:
    """The kiosk file says our URL and the browser was restarted on it."""
    url = expected_url(variant, server)
    assert url in (device.read(KIOSK_FILE[variant]) or b"").decode(), what
    device.wait_for(lambda: device.browser_url() == url, f"{what}: the browser on the page")
    assert device.root_readonly(), what


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_drop_after_any_step_is_finished_by_the_next_run(
        make_device: Callable[..., EmulatedDevice], variant: str) -> None:
    device = make_device(variant)
    stock = device.snapshot()
    link = DeviceShell(device)
    deploy_steps = steps_of(lambda t: deploy(t, SERVERS[0]), link)
    undeploy_steps = steps_of(run_undeploy, link)
    stock_again(device, stock, "clean deploy + undeploy")

    recovered = {state(device)}
    for n in range(1, deploy_steps):
        what = f"deploy cut after step {n} of {deploy_steps}"
        cut_after(lambda t: deploy(t, SERVERS[0]), link, n)
        check_backups(device, stock)
        left = state(device)
        if left in recovered:  # recovering from this very state passed already
            reset(device, variant, stock, device.stock_url)
            continue
        recovered.add(left)
        if len(recovered) % 2:  # the next run is a deploy (for another server), then an undeploy
            deploy(link, SERVERS[1])
            check_backups(device, stock)
            deployed(device, variant, SERVERS[1], what)
            run_undeploy(link)
        else:  # the next run is an undeploy
            try:
                run_undeploy(link)
            except DeviceError as exc:
                assert "nothing to undo" in str(exc), f"{what}: {exc}"
        stock_again(device, stock, what)
    assert len(recovered) > 5  # the cuts really left the device in many different states

    deploy(link, SERVERS[0])
    on_page, page_url = device.snapshot(), expected_url(variant, SERVERS[0])
    recovered = {state(device)}
    for n in range(1, undeploy_steps):
        what = f"undeploy cut after step {n} of {undeploy_steps}"
        cut_after(run_undeploy, link, n)
        check_backups(device, stock)
        left = state(device)
        if left not in recovered:
            recovered.add(left)
            if len(recovered) % 2:  # the next run is a deploy, which must find the backups intact
                deploy(link, SERVERS[1])
                check_backups(device, stock)
                deployed(device, variant, SERVERS[1], what)
            try:
                run_undeploy(link)
            except DeviceError as exc:
                # The cut came after the run's last command (the kiosk's wait loop polled fewer
                # times than in the counted run): only right when nothing of ours is left.
                assert "nothing to undo" in str(exc), f"{what}: {exc}"
            stock_again(device, stock, what)
        reset(device, variant, on_page, page_url)


def test_a_redeploy_for_another_server_cut_anywhere_keeps_the_first_edit_ours(
        make_device: Callable[..., EmulatedDevice]) -> None:
    # Deployed for A; a deploy for B is cut at any step, so the device may still carry A's
    # edit while the record already says B: A's edit must still count as ours, never as a
    # new stock file to back up, and undeploy must still restore the stock file.
    device = make_device("v3")
    stock = device.snapshot()
    link = DeviceShell(device)
    deploy(link, SERVERS[0])
    steps = steps_of(lambda t: deploy(t, SERVERS[1]), link)
    deploy(link, SERVERS[0])
    on_a, url_a = device.snapshot(), expected_url("v3", SERVERS[0])
    recovered = {state(device)}
    for n in range(1, steps):
        what = f"redeploy cut after step {n} of {steps}"
        cut_after(lambda t: deploy(t, SERVERS[1]), link, n)
        check_backups(device, stock)
        left = state(device)
        if left not in recovered:
            recovered.add(left)
            if len(recovered) % 2:
                deploy(link, SERVERS[2])
                check_backups(device, stock)
                deployed(device, "v3", SERVERS[2], what)
            run_undeploy(link)
            stock_again(device, stock, what)
        reset(device, "v3", on_a, url_a)
    assert len(recovered) > 3


def test_a_write_whose_data_stops_halfway_leaves_the_file_as_it_was(
        make_device: Callable[..., EmulatedDevice]) -> None:
    # A link that drops while a file's bytes are on their way ends the device's stdin early:
    # the half-written temporary file must never replace the real one.
    device = make_device("v3")
    link = DeviceShell(device)

    class HalfSent(Transport):
        def run(self, command: str, stdin: bytes | None = None) -> Result:
            return link.run(command, stdin[: len(stdin) // 2] if stdin else stdin)

    link.write("/var/lib/kept", b"the old contents\n")
    with pytest.raises(DeviceError):
        HalfSent().write("/var/lib/kept", b"new contents, twice as long as half of it\n")
    assert device.read("/var/lib/kept") == b"the old contents\n"
    assert device.read("/var/lib/kept.cc-tmp") is None
