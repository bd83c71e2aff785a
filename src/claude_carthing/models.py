"""Typed models of a usage reading, independent of the upstream's wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Window:
    """One usage limit: a percentage used and when it resets."""

    id: str
    label: str
    group: str  # "session", "weekly" or "other"
    utilization: float  # raw percentage, may exceed 100
    resets_at: datetime | None = None
    severity: str | None = None
    is_active: bool = False
    model: str | None = None
    surface: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the window as the JSON object of `/usage`'s `windows` list."""
        return {
            "id": self.id,
            "label": self.label,
            "group": self.group,
            "utilization": self.utilization,
            "resets_at": self.resets_at.isoformat() if self.resets_at else None,
            "resets_at_ms": int(self.resets_at.timestamp() * 1000) if self.resets_at else None,
            "severity": self.severity,
            "is_active": self.is_active,
            "model": self.model,
            "surface": self.surface,
        }


@dataclass(frozen=True)
class ExtraUsage:
    """Pay-as-you-go usage beyond the plan, in currency units."""

    enabled: bool
    used: float | None
    limit: float | None
    utilization: float | None
    currency: str | None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of `/usage`'s `extra_usage` key."""
        return {
            "enabled": self.enabled,
            "used": self.used,
            "limit": self.limit,
            "utilization": self.utilization,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class Usage:
    """One successful reading: every window the account has, plus extra usage."""

    windows: tuple[Window, ...]
    extra_usage: ExtraUsage | None = None
    unknown_keys: tuple[str, ...] = field(default=())

    def window(self, window_id: str) -> Window | None:
        """Return the window with this id, if the account has it."""
        return next((w for w in self.windows if w.id == window_id), None)


@dataclass(frozen=True)
class Plan:
    """What we know of the account's plan."""

    name: str | None
    tier: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of `/usage`'s `plan` key."""
        return {"name": self.name, "tier": self.tier}


class HistorySink(Protocol):
    """Where successful readings are recorded."""

    def append(self, at: float, usage: Usage) -> None:
        """Record one reading taken at epoch seconds `at`."""
        ...
