"""Apply a plan (all or nothing) and undo a deploy from the manifest on the device."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from contextlib import nullcontext

from claude_carthing.device.generation import Generation
from claude_carthing.device.journal import Journal
from claude_carthing.device.layout import (
    BACKUP_DIR,
    LAYOUTS,
    MANIFEST,
    RESTART_PENDING,
    STATE_DIR,
    Layout,
)
from claude_carthing.device.manifest import Manifest, sha256
from claude_carthing.device.plan import Plan
from claude_carthing.device.rootfs import settle, writable_root
from claude_carthing.device.transport import DeviceError, Transport

Note = Callable[[str], None]
CONFIRM_TIMEOUT_S = 20.0


class DeployFailedError(DeviceError):
    """A step failed; the device was put back as it was (or the message says what was not)."""


def apply(transport: Transport, plan: Plan, note: Note) -> bool:  # noqa: PLR0912
    """Carry out a plan; return False when there was nothing to change.

    The order makes a dropped link harmless: the record of what we change (the manifest) is
    written before anything it lists, backups before the edits they undo, and a restart
    marker before the kiosk edit; so the next deploy or undeploy always knows what to finish.
    """
    if not plan.changes_anything:
        settle(transport, note)
        return False
    journal = Journal(transport, note)
    try:
        state = [d for d in plan.create_dirs if d == STATE_DIR or STATE_DIR.startswith(d + "/")]
        journal.make_dirs(state)
        if plan.manifest_bytes is not None:
            journal.write(MANIFEST, plan.manifest_bytes, "644")
        if plan.restart:
            journal.write(RESTART_PENDING, b"", "644")
        journal.make_dirs([d for d in plan.create_dirs if d not in state])
        for change in plan.files:
            if change.backup:
                journal.write(*change.backup)
        for path, data in sorted(plan.page_writes.items()):
            journal.write(path, data, "644")
        for path in plan.page_removals:
            journal.remove(path)
        edits = [c for c in plan.files if c.new is not None]
        if any(c.on_rootfs for c in edits):
            with journal.writable_root():  # one remount for every root-filesystem file
                for c in edits:
                    if c.on_rootfs and c.new is not None:
                        journal.write(c.path, c.new, c.mode, True)
        for c in edits:
            if not c.on_rootfs and c.new is not None:
                journal.write(c.path, c.new, c.mode)
        transport.check("sync")
        restart(transport, plan.layout, plan.restart, note)
        if plan.restart:
            transport.check(f"rm -f {shlex.quote(RESTART_PENDING)}")
        settle(transport, note)
    except BaseException as exc:
        problems = journal.rollback()
        if plan.restart:
            # Best effort: bring the browser back on the restored (stock) configuration.
            try:
                restart(transport, plan.layout, plan.layout.restart_after_config, note)
            except DeviceError as again:
                problems.append(f"restarting the kiosk: {again}")
        if not isinstance(exc, Exception):
            raise
        if problems:
            detail = "Not everything could be undone: " + "; ".join(problems)
        else:
            detail = "Every change was undone; the device is as it was."
        raise DeployFailedError(f"deploy failed: {exc}. {detail}") from exc
    return True


def restart(transport: Transport, layout: Layout, commands: tuple[str, ...], note: Note) -> None:
    """Restart the kiosk and wait until its service reports it running."""
    if not commands:
        return
    for command in commands:
        note(f"run: {command}")
        transport.check(command)
    confirm_running(transport, layout)


def is_running(layout: Layout, status: str) -> bool:
    """Return True when the status command's output means the browser is up."""
    if layout.running_marker == "active":
        return status.strip() == "active"
    if layout.running_marker == "run:":
        # runit: only the service's own state counts, not its log service's
        # ("down: chromium: 1s, normally up; run: log: (pid 12) 40s").
        return status.strip().startswith("run: ")
    return layout.running_marker in status


def confirm_running(transport: Transport, layout: Layout) -> None:
    """Wait for the kiosk service to report itself running; raise if it does not."""
    deadline = time.monotonic() + CONFIRM_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        last = transport.run(layout.status).text
        if is_running(layout, last):
            return
        time.sleep(0.5)
    raise DeviceError(f"the kiosk did not come back after the restart: `{layout.status}` -> {last}")


def undeploy(transport: Transport, note: Note) -> list[str]:
    """Restore every file from its backup, restart the stock kiosk, then delete our folders.

    The manifest goes last (with the folder holding it): a link that drops anywhere before
    leaves it, and the next undeploy finishes the job. Returns warnings (files someone else
    changed since the deploy, which are left alone).
    """
    raw = transport.read(MANIFEST)
    if raw is None:
        return _leftovers(transport, note)
    manifest = Manifest.from_bytes(raw)
    layout = LAYOUTS[Generation(manifest.generation)]
    warnings: list[str] = []
    for entry in manifest.files:
        current = transport.read(entry.path)
        digest = sha256(current)
        if digest == entry.original_sha256 and (transport.readlink(entry.path) == entry.link):
            continue
        if not entry.is_ours(digest):
            warnings.append(
                f"{entry.path} was changed by something else since the deploy (a firmware update?);"
                " left as it is"
            )
            continue
        original = transport.read(entry.backup) if entry.backup else None
        if entry.backup and original is None:
            raise DeviceError(f"the backup {entry.backup} is missing; {entry.path} left as it is")
        if entry.link is None and sha256(original) != entry.original_sha256:
            raise DeviceError(
                f"the backup of {entry.path} does not match the manifest; left as it is"
            )
        with writable_root(transport, note) if entry.on_rootfs else nullcontext():
            if entry.link is not None:
                note(f"ln -sfn {entry.link} {entry.path} (it was a link)")
                transport.check(f"ln -sfn {shlex.quote(entry.link)} {shlex.quote(entry.path)}")
            elif original is None:
                note(f"rm {entry.path} (it did not exist before)")
                transport.check(f"rm -f {shlex.quote(entry.path)}")
            else:
                note(f"restore {entry.path} from {entry.backup}")
                transport.write(entry.path, original, int(entry.mode, 8))
    settle(transport, note)
    transport.check("sync")
    restart(transport, layout, layout.restart_after_config, note)
    _remove_ours(transport, manifest.page_dir, manifest.created_dirs, note)
    return warnings


def _remove_ours(transport: Transport, page_dir: str, created: list[str], note: Note) -> None:
    """Delete the page, the backups and the folders we created; the manifest's folder last."""
    for folder in (page_dir, BACKUP_DIR):
        note(f"rm -rf {folder}")
        transport.check(f"rm -rf {shlex.quote(folder)}")
    ours = [page_dir, STATE_DIR]
    for folder in sorted(created, key=lambda p: -p.count("/")):
        if folder not in ours and not any(folder.startswith(o + "/") for o in ours):
            # Only if empty: something else may have put files there since.
            transport.run(f"rmdir {shlex.quote(folder)} 2>/dev/null")
    note(f"rm -rf {STATE_DIR}")
    # One command: the manifest and its folder go together, never one without the other.
    transport.check(f"rm -rf {shlex.quote(STATE_DIR)} && sync")


def _leftovers(transport: Transport, note: Note) -> list[str]:
    """No manifest: remove what a deploy cut off before writing it left, or say nothing is here.

    A deploy writes its manifest before any page file or edit, so without one only our own
    (empty or backup-only) folders can be left; the kiosk files were never touched.
    """
    folders = sorted({STATE_DIR, *(layout.page_dir for layout in LAYOUTS.values())})
    quoted = " ".join(shlex.quote(f) for f in folders)
    found = transport.check(f'for d in {quoted}; do [ -e "$d" ] && echo "$d"; done; true').text
    if not found:
        raise DeviceError(f"nothing to undo: {MANIFEST} is not on the device")
    for folder in found.split():
        note(f"rm -rf {folder} (left by a deploy that was cut off)")
        transport.check(f"rm -rf {shlex.quote(folder)}")
    transport.check("sync")
    settle(transport, note)
    return []
