"""Doctor's data: one record per check, and the redaction applied before anything is shown."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "warn", "fail", "skip"]
SECRET_TEXT = re.compile(r"sk-ant-[A-Za-z]+\d*-[A-Za-z0-9_\-]+")
# A key names a secret when it is one of these words or ends in `_word` (access_token,
# client_secret); `secrets_file` is a path and `token_expires_at` a date: shown as they are.
SECRET_KEYS = ("token", "session_key", "sessionkey", "password", "secret", "cookie",
               "authorization", "passphrase")
REDACTED = "[redacted]"


@dataclass
class Check:
    """The outcome of one link of the chain."""

    name: str
    status: Status
    summary: str
    fix: str | None = None
    ms: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the check as plain JSON data."""
        return asdict(self)


def redact(value: Any) -> Any:
    """Return `value` with secret-looking strings and secret-named keys replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if _secret_key(str(k)) and v else redact(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return SECRET_TEXT.sub(REDACTED, value)
    return value


def _secret_key(key: str) -> bool:
    key = key.lower().replace("-", "_")
    return any(key == s or key.endswith("_" + s) for s in SECRET_KEYS)


class Timer:
    """Milliseconds since creation."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._start = clock()

    @property
    def ms(self) -> float:
        """Return elapsed milliseconds, rounded to 0.1."""
        return round((self._clock() - self._start) * 1000, 1)


@contextmanager
def timed(check: Check) -> Iterator[Check]:
    """Fill `check.ms` with the time the block took."""
    timer = Timer()
    try:
        yield check
    finally:
        check.ms = timer.ms
