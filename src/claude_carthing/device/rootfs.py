"""Make the read-only root filesystem writable for as short a time as possible."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from claude_carthing.device.transport import DeviceError, Transport

# Set while "/" is read-write because of us. /run is a tmpfs on every generation, so a reboot
# forgets it, as it forgets the remount: a marker left by a dropped link means "ours, undo it".
MARKER = "/run/claude-carthing.rw"
# The options of the last mount on "/" (the one in effect), e.g. "ro,relatime"; then the marker.
_ROOT_STATE = (f"awk '$2==\"/\" {{o=$4}} END {{print o}}' /proc/mounts;"
               f" [ -f {MARKER} ] && echo ours; true")


def root_state(transport: Transport) -> tuple[bool, bool]:
    """Return (read-only now, left read-write by an earlier run of ours)."""
    lines = transport.check(_ROOT_STATE).text.splitlines()
    readonly = bool(lines) and "ro" in lines[0].split(",")
    return readonly, not readonly and lines[-1:] == ["ours"]


def root_is_readonly(transport: Transport) -> bool:
    """Return True when "/" is mounted read-only right now."""
    return root_state(transport)[0]


@contextmanager
def writable_root(
    transport: Transport, note: Callable[[str], None] = lambda _s: None
) -> Iterator[None]:
    """Remount "/" read-write for the block, and read-only again after it, even on failure.

    A root that was already read-write (someone remounted it by hand) is left as it was, unless
    our marker says an earlier run of ours remounted it and lost the link before undoing that.
    """
    readonly, ours = root_state(transport)
    if not readonly and not ours:
        yield
        return
    if readonly:
        note("mount -o remount,rw /")
        # The marker is a help, not a must: a device without a writable /run still deploys.
        transport.check(f"{{ : > {MARKER}; }} 2>/dev/null; mount -o remount,rw /")
    try:
        yield
    finally:
        note("mount -o remount,ro /")
        # `sync` first: files just written must reach the flash before "/" turns read-only.
        result = transport.run(f"sync; mount -o remount,ro / && rm -f {MARKER}")
        if result.code != 0 or not root_is_readonly(transport):
            raise DeviceError(
                "could not remount / read-only again; reboot the Car Thing to be safe"
                f" ({result.err.decode('utf-8', 'replace').strip()})"
            )


def settle(transport: Transport, note: Callable[[str], None] = lambda _s: None) -> None:
    """Remount "/" read-only if an earlier run of ours left it read-write (its link dropped)."""
    if root_state(transport)[1]:
        note("mount -o remount,ro / (left read-write by an interrupted run)")
        transport.check(f"sync; mount -o remount,ro / && rm -f {MARKER}")
