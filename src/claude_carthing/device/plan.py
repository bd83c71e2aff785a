"""Work out, from what is on the device now, exactly what a deploy would change."""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field
from urllib.parse import quote

from claude_carthing.device import kiosk
from claude_carthing.device.generation import DeviceInfo
from claude_carthing.device.layout import LAYOUTS, MANIFEST, STATE_DIR, Layout
from claude_carthing.device.manifest import ChangedFile, Manifest, backup_path, sha256
from claude_carthing.device.transport import DeviceError, Transport


def kiosk_url(page_dir: str, server_url: str) -> str:
    """Return the file:// URL the kiosk opens: our page, told where the PC's server is."""
    return kiosk.check_url(f"file://{page_dir}/index.html?server={quote(server_url, safe=':/')}")


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
    backup: tuple[str, bytes, str] | None  # (path, bytes, mode) of a new backup to keep
    kiosk_new: bytes | None  # None: the kiosk file already says what we want
    kiosk_mode: str
    manifest_old: Manifest | None
    manifest_new: Manifest
    manifest_bytes: bytes | None  # None: the manifest on the device is already right
    restart: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changes_anything(self) -> bool:
        """Return True when applying the plan would change a byte on the device."""
        return bool(
            self.page_writes or self.page_removals or self.create_dirs or self.backup
            or self.kiosk_new is not None or self.manifest_bytes is not None
        )

    def describe(self) -> list[str]:
        """Return the plan as lines a person can check."""
        lines = [
            f"device:     {self.info.describe()}",
            f"server:     {self.server_url}",
            f"kiosk URL:  {self.kiosk_url}",
        ]
        if not self.changes_anything:
            return [*lines, "nothing to change: the device already shows this page"]
        lines += [f"mkdir {d}" for d in self.create_dirs]
        if self.backup:
            lines.append(f"back up {self.layout.kiosk_file} -> {self.backup[0]} (byte for byte)")
        lines += [f"write {p} ({len(b)} bytes)" for p, b in sorted(self.page_writes.items())]
        lines += [f"rm {p} (no longer part of the page)" for p in self.page_removals]
        if self.kiosk_new is not None:
            if self.layout.kiosk_on_rootfs:
                lines.append("mount -o remount,rw /")
            lines.append(f"write {self.layout.kiosk_file} (kiosk URL -> the page above)")
            if self.layout.kiosk_on_rootfs:
                lines.append("mount -o remount,ro /")
        if self.manifest_bytes is not None:
            lines.append(f"write {MANIFEST} (what was changed, for undeploy)")
        lines += [f"run: {c}" for c in self.restart]
        return lines


def build_plan(
    transport: Transport, info: DeviceInfo, server_url: str, page: dict[str, bytes]
) -> Plan:
    """Read the device (without changing it) and return the plan of a deploy."""
    layout = LAYOUTS[info.generation]
    url = kiosk_url(layout.page_dir, server_url)
    old = _manifest(transport)
    current = transport.read(layout.kiosk_file)
    mode = _mode(transport, layout.kiosk_file) if current is not None else "644"
    text = current.decode("utf-8") if current is not None else None
    wanted = layout.edit(text, url).encode("utf-8")
    entry = old.entry(layout.kiosk_file) if old else None
    files: list[ChangedFile] = []
    backup = None
    if entry and sha256(current) in (entry.deployed_sha256, sha256(wanted)):
        # Our own edit is in place: the backup from the first deploy stays the original.
        files.append(ChangedFile(**{**entry.__dict__, "deployed_sha256": sha256(wanted)}))
    elif current != wanted:
        # Stock file (first deploy, or a firmware update put a new stock file back).
        keep = backup_path(layout.kiosk_file) if current is not None else None
        files.append(ChangedFile(layout.kiosk_file, keep, mode, sha256(current),
                                 sha256(wanted) or "", layout.kiosk_on_rootfs))
        if current is not None and keep is not None:
            backup = (keep, current, mode)
    page_paths = {f"{layout.page_dir}/{rel}": data for rel, data in page.items()}
    existing = _hashes(transport, layout.page_dir)
    writes = {p: d for p, d in page_paths.items() if existing.get(p) != sha256(d)}
    removals = sorted(set(existing) - set(page_paths))
    needed = {STATE_DIR, layout.page_dir} | {posixpath.dirname(p) for p in page_paths}
    if backup:
        needed.add(posixpath.dirname(backup[0]))
    missing = _missing_dirs(transport, needed)
    created = sorted(set(old.created_dirs if old else []) | set(missing))
    manifest = Manifest(info.generation.value, info.firmware, layout.page_dir, url, server_url,
                        files, created)
    raw = manifest.to_bytes()
    same_manifest = old is not None and old.to_bytes() == raw
    kiosk_new = wanted if current != wanted else None
    restart = layout.restart_after_config if kiosk_new else ()
    if not restart and (writes or removals):
        restart = layout.restart_page_only
    return Plan(info, layout, server_url, url, writes, removals, missing, backup, kiosk_new,
                mode, old, manifest, None if same_manifest else raw, restart)


def _manifest(transport: Transport) -> Manifest | None:
    raw = transport.read(MANIFEST)
    if raw is None:
        return None
    try:
        return Manifest.from_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise DeviceError(f"{MANIFEST} on the device is damaged ({exc}); fix or remove it") from exc


def _mode(transport: Transport, path: str) -> str:
    return transport.check(f"stat -c %a {shlex.quote(path)}").text or "644"


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
