"""Where credentials come from, and where `login` keeps them.

Source O is Claude Code's own OAuth login, read-only: we never refresh or rewrite it.
Source W is a claude.ai session key: environment variable, else the OS keyring, else a private
file in the home folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.account_scope import config_folder, current, keyring_user, login_command
from claude_carthing.errors import CarthingError
from claude_carthing.settings import write_private

log = logging.getLogger(__name__)

KEYRING_SERVICE = "claude-carthing"
KEYRING_USER = "sessionKey"
KEYCHAIN_SERVICE = "Claude Code-credentials"
SESSION_KEY_ENV = "CLAUDE_CARTHING_SESSION_KEY"
ORG_ID_ENV = "CLAUDE_CARTHING_ORG_ID"


class CredentialsError(CarthingError):
    """Stored credentials exist but cannot be read."""

    kind = "auth"


@dataclass(frozen=True)
class OAuthCredentials:
    """Claude Code's OAuth login (never refreshed by us)."""

    access_token: str
    expires_at: datetime | None
    scopes: tuple[str, ...]
    subscription_type: str | None
    rate_limit_tier: str | None

    def expired(self, now: datetime | None = None) -> bool:
        """Return True when the access token's expiry time has passed."""
        if self.expires_at is None:
            return False
        return (now or datetime.now(timezone.utc)) >= self.expires_at


@dataclass(frozen=True)
class WebCredentials:
    """A claude.ai session key, with the org it reads usage for (found at login)."""

    session_key: str
    org_id: str | None
    where: str  # "environment", "keyring" or "file"


def claude_config_dir() -> Path:
    """Return Claude Code's folder of the current account, the way Claude Code finds it."""
    return config_folder()


def keychain_service() -> str:
    """Return the Keychain item Claude Code keeps its login in, for the current account.

    Claude Code started with a `CLAUDE_CONFIG_DIR` of its own names the item after that folder
    (a suffix of its SHA-256); the default folder has the plain name.
    """
    own = current().config_dir
    if own is None:
        return KEYCHAIN_SERVICE
    return f"{KEYCHAIN_SERVICE}-{hashlib.sha256(str(own).encode()).hexdigest()[:8]}"


def oauth_file() -> Path:
    """Return the path of Claude Code's credentials file."""
    return claude_config_dir() / ".credentials.json"


def read_oauth() -> OAuthCredentials | None:
    """Read Claude Code's login from its file and, on a Mac, its Keychain item; None if absent.

    When both exist (a file left behind on a Mac), the one that expires later wins.
    """
    try:
        text = oauth_file().read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError as exc:
        raise CredentialsError(
            "Claude Code's credentials file is not valid JSON: open Claude Code to log in again"
        ) from exc
    except OSError as exc:
        raise CredentialsError(f"cannot read Claude Code's credentials: {exc.strerror}") from exc
    from_file = _parse_oauth(text) if text.strip() else None
    keychain = _keychain_item()
    from_keychain = None
    if keychain and keychain.strip():
        try:
            from_keychain = _parse_oauth(keychain)
        except CredentialsError:
            from_keychain = None
    found = [c for c in (from_file, from_keychain) if c is not None]
    if not found:
        return None
    return max(found, key=lambda c: c.expires_at or datetime.max.replace(tzinfo=timezone.utc))


def _parse_oauth(text: str) -> OAuthCredentials:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CredentialsError(
            "Claude Code's credentials file is not valid JSON: open Claude Code to log in again"
        ) from exc
    block = data.get("claudeAiOauth") if isinstance(data, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("accessToken"), str):
        raise CredentialsError("Claude Code's credentials file has no OAuth login in it")
    return OAuthCredentials(
        access_token=block["accessToken"],
        expires_at=_epoch_ms(block.get("expiresAt")),
        scopes=tuple(s for s in block.get("scopes") or () if isinstance(s, str)),
        subscription_type=_str(block.get("subscriptionType")),
        rate_limit_tier=_str(block.get("rateLimitTier")),
    )


def _keychain_item() -> str | None:
    if platform.system() != "Darwin":
        return None
    try:
        result = subprocess.run(
            ["security", "find-generic-password", "-s", keychain_service(), "-w"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _epoch_ms(value: Any) -> datetime | None:
    if isinstance(value, str):  # a number written as text must still stop an expired token
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):  # nan, inf or out of range
            return None
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# --- source W: session key -------------------------------------------------------------------


class KeyringUnavailableError(CredentialsError):
    """The session key is in the OS keyring, which is locked or not answering right now."""

    kind = "keyring"
    request_sent = False  # nothing was refused: the poller looks again soon instead of pausing


KEYRING_LOCKED = (
    "the OS keyring holding the session key is locked or not answering (log in to the desktop "
    "to unlock it); retrying"
)


def _keyring(*, detect_again: bool = False) -> Any | None:
    """Return a usable keyring backend module, or None when the OS has none that works.

    `detect_again` looks for a backend anew: keyring settles on one at first use, and at
    autostart (before the desktop login) that can be "none" for the life of the process.
    """
    try:
        import keyring
        import keyring.core
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        backend = keyring.get_keyring()
        if detect_again and _unusable(backend, fail.Keyring):
            keyring.core.init_backend()
            backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring setup means "no keyring"
        return None
    return None if _unusable(backend, fail.Keyring) else keyring


def keyring_backend() -> str | None:
    """Return the name of the OS keyring that would hold a session key; None without one."""
    ring = _keyring()
    if ring is None:
        return None
    backend = ring.get_keyring()
    return str(getattr(backend, "name", None) or type(backend).__name__)


def _unusable(backend: Any, fail_class: type) -> bool:
    return isinstance(backend, fail_class) or getattr(backend, "priority", 0) <= 0


NOT_LOGIN_FACTS = ("device_id",)  # kept in the account file, but made before any login


def _has_login(account: dict[str, Any]) -> bool:
    """Return True when the account file holds what a `login` stored, not only a device id."""
    return any(key not in NOT_LOGIN_FACTS for key in account)


def _key_expected_in_keyring(account: dict[str, Any]) -> bool:
    """Return True when the session key should be in the keyring (then it is asked again)."""
    stored_in = account.get("stored_in")
    if stored_in is not None:
        return bool(stored_in == "keyring")
    # Written before the account file said where: a login kept the key in the keyring unless
    # the private file holds it.
    return _has_login(account) and not paths.secrets_file().exists()


def read_account() -> dict[str, Any]:
    """Return the non-secret account facts stored by `login` ({} when none)."""
    try:
        data = json.loads(paths.account_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_web() -> WebCredentials | None:
    """Return the session key from the environment, the keyring or the secrets file.

    The account file says which store `login` (or a rotation) used last; only that one is
    read, so a stale key left in the other can never win.
    """
    account = read_account()
    default = current().is_default  # the environment speaks for the default account only
    org_id = (os.environ.get(ORG_ID_ENV) if default else None) or _str(account.get("org_id"))
    env_key = os.environ.get(SESSION_KEY_ENV) if default else None
    if env_key:
        return WebCredentials(env_key.strip(), org_id, "environment")
    stored_in = account.get("stored_in")
    # Without a login stored on this PC the keyring holds no key of ours: it is not even
    # imported then (asking it loads every backend, ~10 MiB the server would keep for nothing).
    if stored_in not in ("file", None) or (stored_in is None and _has_login(account)):
        stored = _read_keyring(expected=_key_expected_in_keyring(account))
        if stored:
            return WebCredentials(stored, org_id, "keyring")
    if stored_in == "keyring":
        return None  # the key was removed from the keyring: logged out
    try:
        data = json.loads(paths.secrets_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CredentialsError(
            f"{paths.secrets_file()} is unreadable: run `{login_command()}` again"
        ) from exc
    key = data.get("session_key") if isinstance(data, dict) else None
    return WebCredentials(key, org_id, "file") if isinstance(key, str) and key else None


def _read_keyring(*, expected: bool) -> str | None:
    """Return the key in the keyring; raise when it should be there but cannot be asked."""
    ring = _keyring(detect_again=expected)
    if ring is None:
        if expected:
            raise KeyringUnavailableError(KEYRING_LOCKED)
        return None
    try:
        stored = ring.get_password(KEYRING_SERVICE, keyring_user(KEYRING_USER))
    except Exception as exc:
        # Locked (autostart before the desktop login) after a login: not "not logged in".
        if expected:
            raise KeyringUnavailableError(KEYRING_LOCKED) from exc
        return None  # never logged in, or an older login kept the key in the file
    return stored if isinstance(stored, str) and stored else None


def store_web(session_key: str, account: dict[str, Any]) -> str:
    """Store a session key (keyring, else a mode-600 file) and the account facts; say where."""
    paths.ensure_account_dir()
    where = _store_key(session_key)
    update_account({**account, "stored_in": where})
    return where


def _store_key(session_key: str) -> str:
    """Put the key in the keyring, else the private file; leave no other copy behind."""
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(KEYRING_SERVICE, keyring_user(KEYRING_USER), session_key)
        except Exception:  # noqa: BLE001 - fall back to the private file
            log.warning("The OS keyring refused the session key; using a private file instead.")
            with contextlib.suppress(Exception):  # a stale key there must not linger
                ring.delete_password(KEYRING_SERVICE, keyring_user(KEYRING_USER))
        else:
            paths.secrets_file().unlink(missing_ok=True)
            return "keyring"
    write_private(paths.secrets_file(), json.dumps({"session_key": session_key}) + "\n")
    return "file"


def update_account(changes: dict[str, Any], *, signal: bool = True) -> None:
    """Merge non-secret facts (org id, name, plan) into the account file; signal a change."""
    paths.ensure_account_dir()
    account = read_account()
    account.update(changes)
    write_private(paths.account_file(), json.dumps(account, indent=2) + "\n")
    if signal:
        touch_stamp()


def replace_session_key(session_key: str, where: str) -> None:
    """Store a session key that Claude rotated through `Set-Cookie`, where the old one was.

    When the keyring refuses it, the key goes to the private file and the account file says so,
    so the stale key in the keyring stops being read.
    """
    if where not in ("file", "keyring"):
        return
    if where == "keyring":
        stored_in = _store_key(session_key)
    else:
        write_private(paths.secrets_file(), json.dumps({"session_key": session_key}) + "\n")
        stored_in = "file"
    if read_account().get("stored_in") != stored_in:
        update_account({"stored_in": stored_in}, signal=False)


def delete_web() -> bool:
    """Remove the stored session key and account facts; return True if anything was removed."""
    removed = False
    ring = _keyring()
    if ring is not None:
        try:
            if ring.get_password(KEYRING_SERVICE, keyring_user(KEYRING_USER)):
                ring.delete_password(KEYRING_SERVICE, keyring_user(KEYRING_USER))
                removed = True
        except Exception:  # noqa: BLE001 - nothing to delete there
            log.debug("keyring had nothing to delete")
    removed = removed or paths.secrets_file().exists() or _has_login(read_account())
    for path in (paths.secrets_file(), paths.account_file()):
        path.unlink(missing_ok=True)
    if removed:  # the stamp makes a running server re-read: only when something changed
        touch_stamp()
    return removed


def touch_stamp() -> None:
    """Tell a running server that credentials changed."""
    paths.ensure_account_dir()
    stamp = paths.credentials_stamp()
    stamp.write_text(datetime.now(timezone.utc).isoformat(), encoding="utf-8")


_KEYCHAIN_CHECK_S = 60.0
_keychain_seen: dict[str, tuple[float, str]] = {}  # per Keychain item (one per account)


def _keychain_digest() -> str:
    """Return a digest of the Keychain item (Macs only), asking `security` at most once a minute."""
    if platform.system() != "Darwin":
        return ""
    service, now = keychain_service(), time.monotonic()
    at, digest = _keychain_seen.get(service, (-1e18, ""))
    if now - at >= _KEYCHAIN_CHECK_S:
        digest = hashlib.sha256((_keychain_item() or "").encode()).hexdigest()
        _keychain_seen[service] = (now, digest)
    return digest


def fingerprint() -> str:
    """Return a digest that changes whenever any credential source changes."""
    parts: list[str] = []
    watched = (oauth_file(), paths.secrets_file(), paths.account_file(), paths.credentials_stamp())
    for path in watched:
        try:
            stat = path.stat()
            parts.append(f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
        except OSError:
            parts.append(f"{path}:-")
    parts.append(_keychain_digest())
    parts.append(os.environ.get(SESSION_KEY_ENV, ""))
    parts.append(os.environ.get(ORG_ID_ENV, ""))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
