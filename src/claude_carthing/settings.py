"""User settings: defaults, the config file in the home folder, and environment overrides."""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from claude_carthing import paths
from claude_carthing.errors import CarthingError

MIN_INTERVAL_S = 60
MIN_HISTORY_DAYS = 35
SOURCES = ("auto", "claude-code", "oauth", "web")
USB_SUBNETS = ("172.16.42.0/24", "10.42.1.0/24")

ENV_OVERRIDES = {
    "web_url": "CLAUDE_CARTHING_WEB_URL",
    "api_url": "CLAUDE_CARTHING_API_URL",
    "claude_path": "CLAUDE_CARTHING_CLAUDE_PATH",
}


class SettingsError(CarthingError):
    """A setting has a value we cannot use."""

    kind = "config"


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

    def validated(self) -> Settings:
        """Return self after checking every value; raise `SettingsError` on the first bad one."""
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be 1-65535, not {self.port}")
        if self.interval < MIN_INTERVAL_S:
            raise SettingsError(f"interval must be at least {MIN_INTERVAL_S} seconds")
        if self.source not in SOURCES:
            raise SettingsError(f"source must be one of {', '.join(SOURCES)}")
        if self.history_days < MIN_HISTORY_DAYS:
            raise SettingsError(f"history_days must be at least {MIN_HISTORY_DAYS}")
        for cidr in self.allow:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise SettingsError(f"allow: {cidr!r} is not an address or network") from exc
        if self.max_interval < MIN_INTERVAL_S:
            raise SettingsError(f"max_interval must be at least {MIN_INTERVAL_S} seconds")
        for url in (self.web_url, self.api_url):
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"{url!r} is not an http(s) URL")
        return self

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
        raise SettingsError(f"unknown setting {name!r}; known: {', '.join(sorted(kinds))}")
    kind = str(kinds[name])
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind.startswith("tuple"):
            if isinstance(raw, str):
                return tuple(p.strip() for p in raw.split(",") if p.strip())
            return tuple(str(p) for p in raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name}: {raw!r} is not a valid {kind}") from exc
    return str(raw)


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


def load_settings(**overrides: Any) -> Settings:
    """Return defaults, updated by the config file, the environment, then explicit overrides."""
    values: dict[str, Any] = {}
    for name, raw in read_config_file().items():
        values[name] = _coerce(name, raw)
    for name, env in ENV_OVERRIDES.items():
        if os.environ.get(env):
            values[name] = os.environ[env].rstrip("/")
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(name, raw)
    return replace(Settings(), **values).validated()


def set_setting(name: str, raw: str) -> Settings:
    """Validate and store one setting in the config file; return the resulting settings."""
    stored = read_config_file()
    value = _coerce(name, raw)
    stored[name] = list(value) if isinstance(value, tuple) else value
    replace(Settings(), **{k: _coerce(k, v) for k, v in stored.items()}).validated()
    paths.ensure_home()
    write_private(paths.config_file(), json.dumps(stored, indent=2) + "\n")
    return load_settings()


def write_private(path: Path, text: str) -> None:
    """Write a file atomically with mode 600 (where the OS has modes)."""
    tmp = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(tmp, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    if os.name != "nt":
        tmp.chmod(0o600)
    tmp.replace(path)
