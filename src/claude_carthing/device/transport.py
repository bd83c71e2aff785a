"""The one seam to the device: run a command, read a file, write a file atomically."""

from __future__ import annotations

import shlex
from abc import ABC, abstractmethod
from dataclasses import dataclass

from claude_carthing.errors import CarthingError


class DeviceError(CarthingError):
    """Something on the device failed; `str()` says what, in words."""

    kind = "device"


class CommandFailedError(DeviceError):
    """A command on the device exited non-zero."""

    def __init__(self, command: str, result: Result) -> None:
        detail = (result.err or result.out).decode("utf-8", "replace").strip()
        super().__init__(f"`{command}` failed on the device (exit {result.code}): {detail}")
        self.command = command
        self.result = result


@dataclass(frozen=True)
class Result:
    """What a device command printed and how it exited."""

    code: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        """Return standard output as text, stripped."""
        return self.out.decode("utf-8", "replace").strip()


class Transport(ABC):
    """Runs BusyBox `sh` commands on the device; everything else is built on `run`."""

    @abstractmethod
    def run(self, command: str, stdin: bytes | None = None) -> Result:
        """Run `command` with `sh -c` on the device and return its result."""

    def check(self, command: str, stdin: bytes | None = None) -> Result:
        """Run `command` and raise `CommandFailedError` unless it exits 0."""
        result = self.run(command, stdin)
        if result.code != 0:
            raise CommandFailedError(command, result)
        return result

    def read(self, path: str) -> bytes | None:
        """Return the bytes of a file, or None when it does not exist."""
        q = shlex.quote(path)
        result = self.run(f"if [ -f {q} ]; then cat {q}; else exit 3; fi")
        if result.code == 3:
            return None
        if result.code != 0:
            raise CommandFailedError(f"cat {path}", result)
        return result.out

    def readlink(self, path: str) -> str | None:
        """Return where a symbolic link points, or None when `path` is not a link."""
        q = shlex.quote(path)
        result = self.run(f"[ -L {q} ] && readlink {q}")
        return result.out.decode("utf-8", "replace").rstrip("\n") if result.code == 0 else None

    def http_get_local(self, port: int, path: str) -> bytes | None:
        """GET http://127.0.0.1:port/path on the device; None when this transport cannot.

        Raises DeviceError when the port does not answer.
        """
        del port, path
        return None

    def write(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Write a file atomically: a temporary file beside it, then a rename."""
        q = shlex.quote(path)
        tmp = shlex.quote(f"{path}.cc-tmp")
        # The temporary file is removed whatever fails (a full disk, a read-only folder), and
        # is only renamed when every byte arrived (a dropped link ends stdin early).
        self.check(
            f"{{ cat > {tmp} && [ \"$(wc -c < {tmp})\" -eq {len(data)} ]"
            f" && chmod {mode:o} {tmp} && mv -f {tmp} {q}; }}"
            f" || {{ rc=$?; rm -f {tmp}; exit $rc; }}",
            stdin=data,
        )

    def close(self) -> None:  # noqa: B027 - most transports have nothing to release
        """Release the connection."""
