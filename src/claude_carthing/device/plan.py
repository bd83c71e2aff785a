"""Work out, from what is on the device now, exactly what a deploy would change."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from urllib.parse import quote

from claude_carthing.device import kiosk
from claude_carthing.device.generation import DeviceInfo
from claude_carthing.device.hostzone import HostZone
from claude_carthing.device.layout import LAYOUTS, MANIFEST, RESTART_PENDING, STATE_DIR, Layout
from claude_carthing.device.manifest import ChangedFile, Manifest, backup_path, sha256
from claude_carthing.device.transport import DeviceError, Transport

KEY_PARAM = re.compile(r"([?&]key=)[^&#]*")


def shown_url(url: str) -> str:
    """Return a kiosk URL fit to print or log: the approvals secret left out."""
    return KEY_PARAM.sub(r"\1(secret)", url)


def kiosk_url(page_dir: str, server_url: str, reverse_dial: bool = False,
              key: str | None = None) -> str:
    """Return the file:// URL the kiosk opens: our page, told where the PC's server is.

    `reverse_dial` adds `dial=reverse`, which the page reads to turn its dial the other way
    (v4.1's dial direction is not proven; see docs). `key` adds the approvals secret (letters
    and digits only), with which the page may answer Claude Code's permission requests.
    """
    if key is not None and not key.isalnum():
        raise DeviceError("the approvals secret must be letters and digits")
    # [ ] stay as they are: they bracket an IPv6 host (http://[::1]:8080).
    server = quote(server_url, safe=":/[]")
    dial = "&dial=reverse" if reverse_dial else ""
    secret = f"&key={key}" if key else ""
    return kiosk.check_url(f"file://{page_dir}/index.html?server={server}{secret}{dial}")


@dataclass
class FileChange:
    """One file of Nocturne's that a deploy edits (the kiosk setting, the timezone)."""

    path: str
    new: bytes | None  # None: the file already says what we want
    mode: str
    on_rootfs: bool
    backup: tuple[str, bytes, str] | None  # (path, bytes, mode) of a new backup to keep
    why: str


@dataclass
class Plan:
    """The exact changes a deploy makes; empty lists mean nothing to do."""

    info: DeviceInfo
    layout: Layout
    server_url: str
    kiosk_url: str
    page_writes: dict[str, bytes]
    page_removals: list[str]
    create_dirs: list[str]
    files: list[FileChange]
    manifest_old: Manifest | None
    manifest_new: Manifest
    manifest_bytes: bytes | None  # None: the manifest on the device is already right
    restart: tuple[str, ...] = field(default_factory=tuple)
    restart_pending: bool = False  # an earlier deploy edited the kiosk but lost the link before

    @property
    def changes_anything(self) -> bool:
        """Return True when applying the plan would change a byte on the device (or restart)."""
        return bool(
            self.restart_pending or self.page_writes or self.page_removals or self.create_dirs
            or any(f.new is not None or f.backup for f in self.files)
            or self.manifest_bytes is not None
        )

    def describe(self) -> list[str]:
        """Return the plan as lines a person can check."""
        lines = [
            f"device:     {self.info.describe()}",
            f"server:     {self.server_url}",
            f"kiosk URL:  {shown_url(self.kiosk_url)}",
        ]
        if not self.changes_anything:
            return [*lines, "nothing to change: the device already shows this page"]
        lines += [f"mkdir {d}" for d in self.create_dirs]
        lines += [f"back up {f.path} -> {f.backup[0]} (byte for byte)"
                  for f in self.files if f.backup]
        lines += [f"write {p} ({len(b)} bytes)" for p, b in sorted(self.page_writes.items())]
        lines += [f"rm {p} (no longer part of the page)" for p in self.page_removals]
        rootfs = [f for f in self.files if f.new is not None and f.on_rootfs]
        if rootfs:
            lines.append("mount -o remount,rw /")
            lines += [f"write {f.path} ({f.why})" for f in rootfs]
            lines.append("mount -o remount,ro /")
        lines += [f"write {f.path} ({f.why})" for f in self.files
                  if f.new is not None and not f.on_rootfs]
        if self.manifest_bytes is not None:
            lines.append(f"write {MANIFEST} (what was changed, for undeploy)")
        if self.restart_pending:
            lines.append("restart the kiosk (an earlier deploy was cut off before it did)")
        lines += [f"run: {c}" for c in self.restart]
        return lines


def build_plan(
    transport: Transport, info: DeviceInfo, server_url: str, page: dict[str, bytes],
    zone: HostZone | None = None, *, reverse_dial: bool = False, key: str | None = None,
) -> Plan:
    """Read the device (without changing it) and return the plan of a deploy.

    `zone` (from --set-clock) also writes the timezone file on generations that have one.
    """
    layout = LAYOUTS[info.generation]
    url = kiosk_url(layout.page_dir, server_url, reverse_dial, key)
    old = _manifest(transport)
    current = transport.read(layout.kiosk_file)
    text = current.decode("utf-8") if current is not None else None
    wanted = layout.edit(text, url).encode("utf-8")
    records: list[ChangedFile] = []
    changes: list[FileChange] = []
    _plan_file(transport, old, layout.kiosk_file, wanted=wanted,
               on_rootfs=layout.kiosk_on_rootfs, why="kiosk URL -> the page above",
               records=records, changes=changes)
    if layout.timezone_file:
        _plan_file(transport, old, layout.timezone_file, wanted=zone.tzif if zone else None,
                   on_rootfs=True, why=f"timezone -> {zone.describe()}" if zone else "",
                   records=records, changes=changes)
    page_paths = {f"{layout.page_dir}/{rel}": data for rel, data in page.items()}
    existing = _hashes(transport, layout.page_dir)
    writes = {p: d for p, d in page_paths.items() if existing.get(p) != sha256(d)}
    removals = sorted(set(existing) - set(page_paths))
    needed = {STATE_DIR, layout.page_dir} | {posixpath.dirname(p) for p in page_paths}
    needed |= {posixpath.dirname(c.backup[0]) for c in changes if c.backup}
    missing = _missing_dirs(transport, needed)
    created = sorted(set(old.created_dirs if old else []) | set(missing))
    manifest = Manifest(info.generation.value, info.firmware, layout.page_dir, url, server_url,
                        records, created)
    raw = manifest.to_bytes()
    same_manifest = old is not None and old.to_bytes() == raw
    kiosk_changed = any(c.path == layout.kiosk_file and c.new is not None for c in changes)
    pending = transport.read(RESTART_PENDING) is not None
    restart = layout.restart_after_config if kiosk_changed or pending else ()
    if not restart and (writes or removals):
        restart = layout.restart_page_only
    return Plan(info, layout, server_url, url, writes, removals, missing, changes, old,
                manifest, None if same_manifest else raw, restart, pending)


def _plan_file(
    transport: Transport, old: Manifest | None, path: str, *, wanted: bytes | None,
    on_rootfs: bool, why: str, records: list[ChangedFile], changes: list[FileChange],
) -> None:
    """Decide what to do with one file of Nocturne's, and what the manifest says about it."""
    current = transport.read(path)
    link = transport.readlink(path)
    entry = old.entry(path) if old else None
    if wanted is None:
        # Not asked this time: keep a previous deploy's record while our bytes are still there.
        if entry and entry.is_ours(sha256(current)):
            records.append(entry)
        return
    mode = _mode(transport, path) if current is not None and link is None else "644"
    backup = None
    digest, target = sha256(current), sha256(wanted) or ""
    ours = entry is not None and (entry.is_ours(digest) or digest == target)
    # A redeploy whose link drops after recording its new edit but before making it leaves
    # the previous edit in place: what is there now (and the last record) stays known as ours.
    earlier = sorted({entry.deployed_sha256, *([digest] if ours and digest else [])} - {target}
                     ) if entry else []
    if entry and ours:
        # Our own edit is in place: the backup from the first deploy stays the original.
        records.append(ChangedFile(**{**entry.__dict__, "deployed_sha256": target,
                                      "deployed_before": earlier}))
    elif current != wanted or link is not None:
        # Stock file (first deploy, or a firmware update put a new stock file back).
        # A link is recorded as a link (its target may not even exist), never copied.
        keep = backup_path(path) if current is not None and link is None else None
        records.append(ChangedFile(path, keep, mode, digest, target, on_rootfs, link, earlier))
        if current is not None and keep is not None:
            backup = (keep, current, mode)
    new = wanted if current != wanted or link is not None else None
    if new is not None or backup:
        changes.append(FileChange(path, new, mode, on_rootfs, backup, why))


def _manifest(transport: Transport) -> Manifest | None:
    raw = transport.read(MANIFEST)
    if raw is None:
        return None
    try:
        return Manifest.from_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise DeviceError(f"{MANIFEST} on the device is damaged ({exc}); fix or remove it") from exc


def _mode(transport: Transport, path: str) -> str:
    return transport.check(f"stat -L -c %a {shlex.quote(path)}").text or "644"


def _hashes(transport: Transport, folder: str) -> dict[str, str]:
    q = shlex.quote(folder)
    out = transport.check(
        f"[ -d {q} ] || exit 0; find {q} -type f | while read -r f; do sha256sum \"$f\"; done"
    ).text
    pairs = (line.split(None, 1) for line in out.splitlines() if line.strip())
    return {path.strip(): digest for digest, path in pairs}


def _missing_dirs(transport: Transport, needed: set[str]) -> list[str]:
    candidates: set[str] = set()
    for folder in needed:
        d = folder
        while d not in ("/", ""):
            candidates.add(d)
            d = posixpath.dirname(d)
    quoted = " ".join(shlex.quote(d) for d in sorted(candidates))
    out = transport.check(f'for d in {quoted}; do [ -d "$d" ] || echo "$d"; done').text
    return sorted(out.split(), key=lambda p: (p.count("/"), p))
