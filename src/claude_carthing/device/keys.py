"""Install the user's SSH public key for root on the device, so later runs need no password.

Every generation keeps root's keys in `$HOME/.ssh/authorized_keys` (OpenSSH on v3/v4.1, Dropbear
on v4.0 reads the same file). `$HOME` is /root on v3/v4.0 and may be /home/root on v4.1 (Yocto):
asking the login shell covers both. That folder is on the read-only root filesystem, so the
write uses the same short remount as the kiosk edit; a firmware update (a new root filesystem)
drops the key again and the stock password works as before. Undeploy leaves the key.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from contextlib import nullcontext

from claude_carthing.device.rootfs import writable_root
from claude_carthing.device.transport import Transport

Note = Callable[[str], None]


def ssh_dir(transport: Transport) -> str:
    """Return root's ~/.ssh on the device."""
    home = transport.run('printf %s "$HOME"').text or "/root"
    return f"{home.rstrip('/')}/.ssh"


def authorized_keys_path(transport: Transport) -> str:
    """Return root's authorized_keys file on the device."""
    return f"{ssh_dir(transport)}/authorized_keys"


def has_key(transport: Transport, public_key: str) -> bool:
    """Return True when the key is already authorized on the device."""
    current = transport.read(authorized_keys_path(transport)) or b""
    return public_key.strip().encode() in (line.strip() for line in current.splitlines())


def install_public_key(transport: Transport, public_key: str, note: Note) -> bool:
    """Append a public key to root's authorized_keys; False when it was already there."""
    if has_key(transport, public_key):
        return False
    folder = ssh_dir(transport)
    path = f"{folder}/authorized_keys"
    current = transport.read(path) or b""
    body = current if not current or current.endswith(b"\n") else current + b"\n"
    q = shlex.quote(folder)
    # A real write tells (BusyBox `test -w` is always true for root, even on a read-only
    # filesystem); when it fails, "/" is remounted read-write for this one write.
    writable = transport.run(f'd={q}; [ -d "$d" ] || d=$(dirname "$d");'
                             ' p="$d/.cc-probe"; : > "$p" 2>/dev/null && rm -f "$p"')
    with nullcontext() if writable.code == 0 else writable_root(transport, note):
        note(f"write {path} (your public key added)")
        transport.check(f"mkdir -p {q} && chmod 700 {q}")
        transport.write(path, body + public_key.strip().encode() + b"\n", 0o600)
    return True
