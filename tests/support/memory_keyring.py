"""An in-memory keyring backend standing in for an OS keyring that works."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

_STORE: dict[tuple[str, str], str] = {}


class MemoryKeyring(KeyringBackend):
    """Keeps passwords in this process only."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return _STORE.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        _STORE[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if _STORE.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")
