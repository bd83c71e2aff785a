"""User settings: defaults, the config file in the home folder, and environment overrides."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from claude_carthing import paths
from claude_carthing.errors import CarthingError

WINDOWS = os.name == "nt"
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 86_400  # a day: beyond it the page would call every reading stale anyway
MAX_TIMEOUT_S = 300
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
VERSION = re.compile(r"\d+(\.\d+){1,3}")
MIN_HISTORY_DAYS = 35
MAX_HISTORY_DAYS = 3650
SOURCES = ("auto", "claude-code", "oauth", "web")
USB_SUBNETS = ("172.16.42.0/24", "10.42.1.0/24")
NIGHT_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")
NOTIFY_MODES = ("on", "off", "demo")  # demo: on, and for demo data too
HOOK_ON = ("events", "reads")
MAX_HOOK_TIMEOUT_S = 300

ENV_OVERRIDES = {
    "web_url": "CLAUDE_CARTHING_WEB_URL",
    "api_url": "CLAUDE_CARTHING_API_URL",
    "claude_path": "CLAUDE_CARTHING_CLAUDE_PATH",
}


class SettingsError(CarthingError):
    """A setting has a value we cannot use."""

    kind = "config"

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


MAX_WAITING_MINUTES = 1440


def _require(ok: bool, setting: str, problem: str) -> None:
    if not ok:
        raise SettingsError(f"setting {setting}: {problem}", setting)


def _are_percentages(values: tuple[str, ...]) -> bool:
    try:
        return all(0 < float(v) <= 100 for v in values)
    except ValueError:
        return False


def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return 0 < len(text) <= 253 and all(HOST_LABEL.fullmatch(p) for p in text.split("."))
    return True


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _is_http_url(text: str) -> bool:
    try:
        url = urlsplit(text)
        url.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return False
    return url.scheme in ("http", "https") and _is_host(url.hostname or "")


def _is_origin(text: str) -> bool:
    return _is_http_url(text) and urlsplit(text).path in ("", "/") and "?" not in text


@dataclass(frozen=True)
class Settings:
    """Every tunable of the host service, with its default."""

    host: str = "0.0.0.0"
    port: int = 8080
    interval: int = 300
    source: str = "auto"
    web_url: str = "https://claude.ai"
    api_url: str = "https://api.anthropic.com"
    timeout: float = 20.0
    allow: tuple[str, ...] = field(default=())
    allowed_hosts: tuple[str, ...] = field(default=())
    cors_origins: tuple[str, ...] = field(default=())
    history_days: int = 90
    log_level: str = "INFO"
    claude_code_version: str = "2.1.0"
    claude_path: str = ""  # the `claude` command to ask for usage; "" = PATH, then usual places
    max_interval: int = 1800  # the longest wait between reads while usage does not move
    night: str = "22:00-07:00"
    notify: str = "on"
    notify_thresholds: tuple[str, ...] = field(default=("80", "95"))
    notify_stale_minutes: int = 30
    notify_waiting_minutes: int = 2  # a Claude Code session waiting this long is announced
    hook: tuple[str, ...] = field(default=())
    hook_on: str = "events"
    hook_timeout: float = 10.0

    def validated(self) -> Settings:
        """Return self after checking every value; raise `SettingsError` naming the first bad one.

        One `_require(condition, setting, problem)` line per rule: a new setting adds its own.
        """
        _require(0 < self.port < 65536, "port", "must be 1-65535")
        _require(_is_host(self.host), "host", "must be an IP address or a host name")
        _require(MIN_INTERVAL_S <= self.interval <= MAX_INTERVAL_S, "interval",
                 f"must be at least {MIN_INTERVAL_S} seconds and at most {MAX_INTERVAL_S}")
        _require(self.source in SOURCES, "source", f"must be one of {', '.join(SOURCES)}")
        _require(_is_http_url(self.web_url), "web_url", "must be an http(s) URL with a host")
        _require(_is_http_url(self.api_url), "api_url", "must be an http(s) URL with a host")
        _require(math.isfinite(self.timeout) and 0 < self.timeout <= MAX_TIMEOUT_S, "timeout",
                 f"must be more than 0 and at most {MAX_TIMEOUT_S} seconds")
        for cidr in self.allow:
            _require(_is_network(cidr), "allow", f"{cidr!r} is not an address or network")
        for name in self.allowed_hosts:
            _require(_is_host(name), "allowed_hosts", f"{name!r} is not a host name")
        for origin in self.cors_origins:
            _require(origin in ("null", "file://") or _is_origin(origin), "cors_origins",
                     f"{origin!r} is not an origin like http://192.168.1.5:8080 "
                     "(or null, file://)")
        _require(MIN_HISTORY_DAYS <= self.history_days <= MAX_HISTORY_DAYS, "history_days",
                 f"must be at least {MIN_HISTORY_DAYS} and at most {MAX_HISTORY_DAYS}")
        _require(self.log_level.upper() in LOG_LEVELS, "log_level",
                 f"must be one of {', '.join(LOG_LEVELS)}")
        _require(bool(VERSION.fullmatch(self.claude_code_version)), "claude_code_version",
                 "must be a version like 2.1.0")
        _require(MIN_INTERVAL_S <= self.max_interval <= MAX_INTERVAL_S, "max_interval",
                 f"must be at least {MIN_INTERVAL_S} seconds and at most {MAX_INTERVAL_S}")
        _require(self.night == "off" or NIGHT_RE.fullmatch(self.night) is not None, "night",
                 "must be HH:MM-HH:MM (PC time) or off")
        self._validate_alerts()
        return self

    def _validate_alerts(self) -> None:
        _require(self.notify in NOTIFY_MODES, "notify", f"must be one of {', '.join(NOTIFY_MODES)}")
        _require(_are_percentages(self.notify_thresholds), "notify_thresholds",
                 "must be percentages between 1 and 100, e.g. 80,95")
        _require(self.notify_stale_minutes >= 1, "notify_stale_minutes", "must be at least 1")
        _require(0 <= self.notify_waiting_minutes <= MAX_WAITING_MINUTES,
                 "notify_waiting_minutes",
                 f"must be 0 (never) to {MAX_WAITING_MINUTES} minutes")
        _require(self.hook_on in HOOK_ON, "hook_on", f"must be one of {', '.join(HOOK_ON)}")
        _require(math.isfinite(self.hook_timeout) and 0 < self.hook_timeout <= MAX_HOOK_TIMEOUT_S,
                 "hook_timeout", f"must be more than 0 and at most {MAX_HOOK_TIMEOUT_S} seconds")

    def threshold_levels(self) -> tuple[float, ...]:
        """Return the notification thresholds as percentages, lowest first."""
        return tuple(sorted(float(t) for t in self.notify_thresholds))

    def allowed_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """Return loopback, the Car Thing's USB subnets, and what the user added."""
        nets = ["127.0.0.0/8", "::1/128", *USB_SUBNETS, *self.allow]
        return [ipaddress.ip_network(n, strict=False) for n in nets]

    def public_dict(self) -> dict[str, Any]:
        """Return the settings as plain JSON data (there are no secrets in settings)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _coerce(name: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        raise SettingsError(f"unknown setting {name!r}; known: {', '.join(sorted(kinds))}", name)
    kind = str(kinds[name])
    try:
        return _convert(kind, raw)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SettingsError(f"setting {name}: {raw!r} is not a valid {_KIND_WORDS.get(kind, kind)}",
                            name) from exc


def _convert(kind: str, raw: Any) -> Any:
    """Turn text from the command line, or a JSON value from the file, into a field's type."""
    # JSON true is not a port, 2.5 is not a whole number, and 5 is not a list
    if isinstance(raw, bool) and kind != "bool":
        raise TypeError(raw)
    if kind == "bool":
        return _boolean(raw)
    if kind == "int":
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind.startswith("tuple"):
        if isinstance(raw, str):
            return tuple(p.strip() for p in raw.split(",") if p.strip())
        if not isinstance(raw, list):
            raise TypeError(raw)
        return tuple(str(p) for p in raw)
    if not isinstance(raw, str):
        raise TypeError(raw)
    return raw.strip()


_KIND_WORDS = {"int": "whole number", "float": "number", "bool": "true or false",
               "tuple[str, ...]": "comma-separated list"}


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """Return the raw settings stored in the config file ({} when there is none)."""
    path = path or paths.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"{path} is not UTF-8 text; fix it or delete it to start over"
        ) from exc
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"{path} is not valid JSON (line {exc.lineno}); fix it or delete it to start over"
        ) from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path} must hold a JSON object")
    return data


def _from_file(path: Path, stored: dict[str, Any]) -> dict[str, Any]:
    """Return the file's values coerced and checked; errors name the file and the setting."""
    try:
        values = {name: _coerce(name, raw) for name, raw in stored.items()}
        replace(Settings(), **values).validated()  # defaults are valid: any error is the file's
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}; fix it with `claude-carthing config set` or "
                            f"delete the line", exc.setting) from None
    return values


def load_settings(**overrides: Any) -> Settings:
    """Return defaults, updated by the config file, the environment, then explicit overrides."""
    path = paths.config_file()
    values = _from_file(path, read_config_file(path))
    for name, env in ENV_OVERRIDES.items():
        if os.environ.get(env):
            values[name] = os.environ[env].rstrip("/")
            try:
                replace(Settings(), **{name: values[name]}).validated()
            except SettingsError as exc:
                raise SettingsError(f"environment variable {env}: {exc}", name) from None
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(name, raw)
    return replace(Settings(), **values).validated()


def set_setting(name: str, raw: str) -> Settings:
    """Validate and store one setting in the config file; return the resulting settings."""
    path = paths.config_file()
    stored = read_config_file(path)
    value = _coerce(name, raw)
    replace(Settings(), **{name: value}).validated()  # the new value alone, named as such
    stored[name] = list(value) if isinstance(value, tuple) else value
    _from_file(path, stored)  # and the file as it would be
    paths.ensure_home()
    write_private(path, json.dumps(stored, indent=2) + "\n")
    return load_settings()


def write_private(path: Path, text: str) -> None:
    """Write a file atomically, readable by the user alone (mode 600; an ACL on Windows)."""
    from claude_carthing import private

    tmp = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(tmp, flags, 0o600)
    try:
        # Private while still empty: on Windows the new file inherits its folder's ACL, which
        # under a custom CLAUDE_CARTHING_HOME may let every user read it.
        private.restrict(tmp, windows=WINDOWS)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            fd = -1
            handle.write(text)
        tmp.replace(path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
