"""Plan names from what upstream says: its rate-limit tier, subscription type or capabilities.

Plans were renamed on 2026-10-30: the tier `..._max_20x` is now called "Ultra" and `..._max_5x`
"Max". A tier or type we do not know yet is shown as it comes ("nebula_40x" -> "Nebula 40x").
"""

from __future__ import annotations

from collections.abc import Iterable

# Tiers whose plan has a new name (tier strings stay as they were).
RENAMED_TIERS = {"max_20x": "Ultra", "max_5x": "Max"}
CAPABILITIES = {"claude_max": "Max", "claude_pro": "Pro", "raven": "Team"}
TIER_PREFIXES = ("default_claude_", "claude_")


def _words(text: str) -> str:
    words = text.replace("-", "_").split("_")
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


def from_tier(tier: str | None) -> str | None:
    """Return the plan a rate-limit tier names ("default_claude_max_20x" -> "Ultra"), or None."""
    if not tier:
        return None
    text = tier.strip().lower()
    for prefix in TIER_PREFIXES:
        if text.startswith(prefix):
            rest = text[len(prefix):]
            return RENAMED_TIERS.get(rest) or _words(rest) or None
    return None  # "default", "default_api": no plan in it


def from_type(subscription: str | None) -> str | None:
    """Return the plan of a subscription type ("max" -> "Max", "ultra" -> "Ultra")."""
    return _words(subscription.strip()) or None if subscription else None


def from_capabilities(capabilities: Iterable[str]) -> str | None:
    """Return the plan an org's capabilities imply (claude_max -> Max); unknown claude_* as is."""
    caps = tuple(capabilities)
    for cap, name in CAPABILITIES.items():
        if cap in caps:
            return name
    other = next((c for c in caps if c.startswith("claude_")), None)
    return _words(other.removeprefix("claude_")) if other else None


def plan_name(tier: str | None = None, subscription: str | None = None,
              capabilities: Iterable[str] = ()) -> str | None:
    """Return the plan's name: the tier says most, then the subscription type, then capabilities."""
    return from_tier(tier) or from_type(subscription) or from_capabilities(capabilities)
