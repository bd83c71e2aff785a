"""Make the read-only root filesystem writable for as short a time as possible."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from claude_carthing.device.transport import DeviceError, Transport

# The options of the last mount on "/" (the one in effect), e.g. "ro,relatime".
_ROOT_OPTIONS = "awk '$2==\"/\" {o=$4} END {print o}' /proc/mounts"


def root_is_readonly(transport: Transport) -> bool:
    """Return True when "/" is mounted read-only right now."""
    return "ro" in transport.check(_ROOT_OPTIONS).text.split(",")


@contextmanager
def writable_root(
    transport: Transport, note: Callable[[str], None] = lambda _s: None
) -> Iterator[None]:
    """Remount "/" read-write for the block, and read-only again after it, even on failure.

    A root that was already read-write (someone remounted it by hand) is left as it was.
    """
    if not root_is_readonly(transport):
        yield
        return
    note("mount -o remount,rw /")
    transport.check("mount -o remount,rw /")
    try:
        yield
    finally:
        note("mount -o remount,ro /")
        # `sync` first: files just written must reach the flash before "/" turns read-only.
        result = transport.run("sync; mount -o remount,ro /")
        if result.code != 0 or not root_is_readonly(transport):
            raise DeviceError(
                "could not remount / read-only again; reboot the Car Thing to be safe"
                f" ({result.err.decode('utf-8', 'replace').strip()})"
            )
