"""The upstream's JSON usage format, read defensively into `models.Usage`.

Nothing else in the program knows a JSON key of the upstream. `limits[]` is read first; the
legacy top-level window objects fill in what it lacks; unknown keys never break parsing.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any

from claude_carthing.errors import SchemaError
from claude_carthing.models import ExtraUsage, Usage, Window

# Legacy top-level keys and their labels; any other object with a numeric utilization is a
# window too (new codename keys keep appearing).
LEGACY_LABELS = {
    "five_hour": "5-hour",
    "seven_day": "Weekly",
    "seven_day_sonnet": "Weekly · Sonnet",
    "seven_day_opus": "Weekly · Opus",
    "seven_day_oauth_apps": "Weekly · OAuth apps",
    "seven_day_cowork": "Weekly · Daily Routines",
    "seven_day_routines": "Weekly · Daily Routines",
    "seven_day_omelette": "Weekly · Design",
    "seven_day_design": "Weekly · Design",
}
# Codenames and ids upstream uses for a product, by the name users know (scopes and keys).
PRODUCT_NAMES = {"cowork": "Daily Routines", "routines": "Daily Routines",
                 "omelette": "Design", "design": "Design"}
NOT_WINDOWS = {"extra_usage", "limits", "spend", "member_dashboard_available"}
_GROUP_ORDER = {"session": 0, "weekly": 1, "other": 2}
# Control characters (a NUL cannot go into a hook's environment, an escape sequence would reach
# the terminal) and lone surrogates (which no encoder takes) never leave the parser.
_UNWANTED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def parse_usage(data: Any) -> Usage:
    """Turn a usage response body into a `Usage`; raise `SchemaError` when nothing is usable."""
    if not isinstance(data, dict):
        raise SchemaError("Claude answered with something that is not a usage object.")
    data = _clean(data)
    windows: dict[str, Window] = {}
    limits = data.get("limits")
    if isinstance(limits, list):
        for entry in limits:
            window = _window_from_limit(entry)
            if window is not None and window.id not in windows:
                windows[window.id] = window
    unknown: list[str] = []
    for key, value in data.items():
        if key in NOT_WINDOWS or key in windows:
            continue
        if value is None:
            continue
        window = _window_from_legacy(key, value)
        if window is None:
            unknown.append(key)
        else:
            windows[window.id] = window
    known_shape = "limits" in data or any(k in data for k in ("five_hour", "seven_day"))
    if not windows and not known_shape:
        raise SchemaError("Claude's usage answer had no usage windows in a known shape.")
    ordered = sorted(windows.values(), key=lambda w: (_GROUP_ORDER[w.group], _rank(w.id), w.id))
    return Usage(
        windows=tuple(ordered),
        extra_usage=_extra_usage(data),
        unknown_keys=tuple(unknown),
    )


def _clean(value: Any) -> Any:
    """Return `value` with control characters and lone surrogates taken out of every string."""
    if isinstance(value, str):
        return _UNWANTED.sub("", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _rank(window_id: str) -> int:
    keys = list(LEGACY_LABELS)
    return keys.index(window_id) if window_id in keys else len(keys)


def _window_from_limit(entry: Any) -> Window | None:
    if not isinstance(entry, dict):
        return None
    percent = to_number(entry.get("percent", entry.get("utilization")))
    if percent is None:
        return None
    kind = str(entry.get("kind") or "")
    resets_at = parse_time(entry.get("resets_at"))
    severity = entry.get("severity") if isinstance(entry.get("severity"), str) else None
    active = entry.get("is_active") is True
    if kind == "session":
        return Window("five_hour", "5-hour", "session", percent, resets_at, severity, active)
    if kind == "weekly_all":
        return Window("seven_day", "Weekly", "weekly", percent, resets_at, severity, active)
    model, surface = _scope(entry.get("scope"))
    # A limit scoped to a model on one surface is a window of its own, beside the model's.
    name = f"{model} · {surface}" if model and surface else model or surface
    group = "weekly" if kind.startswith("weekly") or entry.get("group") == "weekly" else "other"
    if name is None:
        name = kind or "limit"
    prefix = "seven_day_" if group == "weekly" else ""
    window_id = prefix + slug(name)
    label = ("Weekly · " if group == "weekly" else "") + _readable(name)
    return Window(window_id, label, group, percent, resets_at, severity, active, model, surface)


def _scope_name(value: Any) -> str | None:
    """A scope part's name: a `{display_name, id}` object or a plain string."""
    if isinstance(value, dict):
        name = value.get("display_name") or value.get("id")
        return str(name) if name else None
    return value if isinstance(value, str) else None


def _scope(scope: Any) -> tuple[str | None, str | None]:
    if not isinstance(scope, dict):
        return None, None
    return _scope_name(scope.get("model")), _scope_name(scope.get("surface"))


def _window_from_legacy(key: str, value: Any) -> Window | None:
    if not isinstance(value, dict):
        return None
    utilization = to_number(value.get("utilization"))
    if utilization is None:
        return None
    resets_at = parse_time(value.get("resets_at"))
    if key == "five_hour":
        group = "session"
    elif key.startswith("seven_day"):
        group = "weekly"
    else:
        group = "other"
    label = LEGACY_LABELS.get(key)
    model = None
    if label is None:
        rest = key.removeprefix("seven_day_")
        label = f"Weekly · {_readable(rest)}" if group == "weekly" else _readable(key)
    elif key in ("seven_day_sonnet", "seven_day_opus"):
        model = label.split("· ")[1]
    return Window(key, label, group, utilization, resets_at, None, False, model)


def _extra_usage(data: dict[str, Any]) -> ExtraUsage | None:
    extra = data.get("extra_usage")
    spend = data.get("spend")
    if isinstance(extra, dict):
        places = _places(extra.get("decimal_places"))
        return ExtraUsage(
            enabled=extra.get("is_enabled") is True,
            used=_money(extra.get("used_credits"), places),
            limit=_money(extra.get("monthly_limit"), places),
            utilization=to_number(extra.get("utilization")),
            currency=extra.get("currency") if isinstance(extra.get("currency"), str) else None,
        )
    if isinstance(spend, dict):
        raw_used = spend.get("used")
        used: dict[str, Any] = raw_used if isinstance(raw_used, dict) else {}
        return ExtraUsage(
            enabled=spend.get("enabled") is True,
            used=_money(used.get("amount_minor"), _places(used.get("exponent"))),
            limit=None,
            utilization=None,
            currency=used.get("currency") if isinstance(used.get("currency"), str) else None,
        )
    return None


MAX_PLACES = 8  # currencies use 0-4; anything past this is a scale we cannot trust


def _money(value: Any, places: int | None) -> float | None:
    number = to_number(value)
    if number is None or places is None:
        return None  # an amount at an unknown scale is not shown at all
    return round(number / float(10**places), places)


def _places(value: Any) -> int | None:
    """Return the decimal places of money amounts: 2 when unknown, None when absurd."""
    number = to_number(value)
    if number is None:
        return 2  # absent or unreadable: cents, as every currency seen so far
    if not number.is_integer() or not 0 <= number <= MAX_PLACES:
        return None  # 10**places with a huge value would hang or overflow the whole read
    return int(number)


def to_number(value: Any) -> float | None:
    """Read a number sent as int, float or numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO-8601 time (fractions of any length, `Z` or an offset); None if unusable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python 3.10 accepts only 3 or 6 fractional digits.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def slug(name: str) -> str:
    """Return a stable lower-case id fragment for a display name."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "limit"


def _readable(name: str) -> str:
    """Return the name users know for a codename or id ("omelette" -> "Design")."""
    return PRODUCT_NAMES.get(name.strip().lower()) or _human(name)


def _human(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name
