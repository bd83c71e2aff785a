"""Changes made on the device, each with its undo, so a failure halfway puts everything back."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from claude_carthing.device.rootfs import MARKER, root_is_readonly, root_state, writable_root
from claude_carthing.device.transport import Transport

Note = Callable[[str], None]


@dataclass
class _Undo:
    describe: str
    action: Callable[[], None]
    on_rootfs: bool


@dataclass
class Journal:
    """Applies changes through the transport and remembers how to reverse them."""

    transport: Transport
    note: Note
    undos: list[_Undo] = field(default_factory=list)
    root_was_readonly: bool = False  # a block of ours remounted "/" read-write

    @contextmanager
    def writable_root(self) -> Iterator[None]:
        """`rootfs.writable_root`, remembering that "/" was read-only so rollback restores it."""
        readonly, ours = root_state(self.transport)
        self.root_was_readonly = self.root_was_readonly or readonly or ours
        with writable_root(self.transport, self.note):
            yield

    def make_dirs(self, dirs: list[str]) -> None:
        """Create folders that do not exist yet (parents first)."""
        for d in sorted(dirs, key=lambda p: p.count("/")):
            self.note(f"mkdir {d}")
            self.transport.check(f"mkdir {shlex.quote(d)}")
            self.undos.append(_Undo(f"rm -rf {d}", self._remover(d, tree=True), False))

    def write(self, path: str, data: bytes, mode: str, on_rootfs: bool = False) -> None:
        """Write a file atomically, remembering its previous bytes and mode."""
        old = self.transport.read(path)
        link = self.transport.readlink(path)
        old_mode = self._mode(path) if old is not None else None
        self.note(f"write {path} ({len(data)} bytes, mode {mode})")
        if link is not None:
            undo = self._relinker(path, link)
        elif old is None:
            undo = self._remover(path)
        else:
            undo = self._rewriter(path, old, old_mode or "644", on_rootfs)
        # Registered after the write: a failed atomic write leaves the old file untouched
        # (and rewriting it could fail the same way, e.g. on a full disk).
        self.transport.write(path, data, int(mode, 8))
        self.undos.append(_Undo(f"restore {path}", undo, on_rootfs))

    def remove(self, path: str) -> None:
        """Delete a file of ours, remembering its bytes."""
        old = self.transport.read(path)
        self.note(f"rm {path}")
        if old is not None:
            mode = self._mode(path)
            undo = self._rewriter(path, old, mode, False)
            self.undos.append(_Undo(f"restore {path}", undo, False))
        self.transport.check(f"rm -f {shlex.quote(path)}")

    def rollback(self) -> list[str]:
        """Undo everything in reverse order; return what could not be undone."""
        problems: list[str] = []
        undos, self.undos = list(reversed(self.undos)), []
        plain = [u for u in undos if not u.on_rootfs]
        rootfs = [u for u in undos if u.on_rootfs]
        if rootfs:
            try:
                with writable_root(self.transport, self.note):
                    problems += _run_all(rootfs, self.note)
            except Exception as exc:  # noqa: BLE001 - report every failure, keep undoing
                problems.append(str(exc))
        problems += _run_all(plain, self.note)
        if self.root_was_readonly:
            problems += self._readonly_again()
        return problems

    def _readonly_again(self) -> list[str]:
        """Remount "/" read-only if a failed remount left it read-write; say so if it stays."""
        try:
            if root_is_readonly(self.transport):
                return []
            self.note("mount -o remount,ro / (again)")
            self.transport.run(f"sync; mount -o remount,ro / && rm -f {MARKER}")
            if root_is_readonly(self.transport):
                return []
        except Exception as exc:  # noqa: BLE001 - reported like every other failed undo
            return [f"could not check that / is read-only again: {exc}"]
        return ["/ is still mounted read-write; reboot the Car Thing to make it read-only again"]

    def _mode(self, path: str) -> str:
        return self.transport.check(f"stat -L -c %a {shlex.quote(path)}").text or "644"

    def _remover(self, path: str, tree: bool = False) -> Callable[[], None]:
        flag = "-rf" if tree else "-f"
        command = f"rm {flag} {shlex.quote(path)}"

        def remove() -> None:
            self.transport.check(command)

        return remove

    def _relinker(self, path: str, target: str) -> Callable[[], None]:
        command = f"ln -sfn {shlex.quote(target)} {shlex.quote(path)}"

        def relink() -> None:
            self.transport.check(command)

        return relink

    def _rewriter(self, path: str, data: bytes, mode: str, on_rootfs: bool) -> Callable[[], None]:
        del on_rootfs  # the caller groups root-filesystem undos under one remount
        return lambda: self.transport.write(path, data, int(mode, 8))


def _run_all(undos: list[_Undo], note: Note) -> list[str]:
    problems = []
    for undo in undos:
        note(f"undo: {undo.describe}")
        try:
            undo.action()
        except Exception as exc:  # noqa: BLE001 - one failed undo must not stop the others
            problems.append(f"{undo.describe}: {exc}")
    return problems
