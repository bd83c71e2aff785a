"""A keyring backend that can be locked (reads raise) or refuse writes, like a real OS keyring."""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError, PasswordSetError


class FlakyKeyring(KeyringBackend):
    """Keeps passwords in this process; `locked` and `refuse_writes` play the OS's moods."""

    priority = 1  # type: ignore[assignment]
    store: ClassVar[dict[tuple[str, str], str]] = {}
    locked: ClassVar[bool] = False
    refuse_writes: ClassVar[bool] = False

    @classmethod
    def reset(cls) -> None:
        """Forget everything (one test's keyring never leaks into the next)."""
        cls.store, cls.locked, cls.refuse_writes = {}, False, False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise KeyringLocked("the login keyring is locked")
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked or self.refuse_writes:
            raise PasswordSetError("the keyring refused the write")
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.locked or self.refuse_writes:
            raise PasswordDeleteError("the keyring refused the delete")
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")
