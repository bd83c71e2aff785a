"""The record of a deploy kept on the device, so undeploy (and the next deploy) know what we did."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from claude_carthing.device.layout import BACKUP_DIR


def sha256(data: bytes | None) -> str | None:
    """Return the hex SHA-256 of some bytes, or None for a file that does not exist."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def backup_path(path: str) -> str:
    """Return where the original of a device file is kept."""
    return f"{BACKUP_DIR}{path}"


@dataclass
class ChangedFile:
    """A file of Nocturne's that we changed; no `backup` and no `link`: it did not exist before."""

    path: str
    backup: str | None
    mode: str
    original_sha256: str | None
    deployed_sha256: str
    on_rootfs: bool
    link: str | None = None  # the file was a symbolic link to this; undeploy puts the link back
    # What earlier deploys wrote there: a redeploy cut before its edit leaves one of these.
    deployed_before: list[str] = field(default_factory=list)

    def is_ours(self, digest: str | None) -> bool:
        """Return True when these bytes are an edit of ours (this deploy's or an earlier one's)."""
        return digest is not None and (digest == self.deployed_sha256
                                       or digest in self.deployed_before)


@dataclass
class Manifest:
    """Everything deploy changed outside its own folders, and the folders it created."""

    generation: str
    firmware: str
    page_dir: str
    kiosk_url: str
    server_url: str
    files: list[ChangedFile] = field(default_factory=list)
    created_dirs: list[str] = field(default_factory=list)
    tool: str = "claude-carthing"
    format: int = 1

    def to_bytes(self) -> bytes:
        """Serialize deterministically, so an unchanged deploy writes identical bytes."""
        return (json.dumps(asdict(self), indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse a manifest written by `to_bytes`."""
        raw = json.loads(data)
        files = [ChangedFile(**f) for f in raw.pop("files", [])]
        return cls(files=files, **raw)

    def entry(self, path: str) -> ChangedFile | None:
        """Return the record of one changed file."""
        return next((f for f in self.files if f.path == path), None)
