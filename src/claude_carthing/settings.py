"""User settings: defaults, the config file in the home folder, and environment overrides."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import shlex
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from claude_carthing import paths
from claude_carthing.errors import CarthingError
from claude_carthing.i18n.languages import AUTO as AUTO_LANGUAGE
from claude_carthing.i18n.languages import LANGUAGES
from claude_carthing.i18n.languages import normalize as normalize_language

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
MIN_APPROVAL_S, MAX_APPROVAL_S = 10, 540  # the hook entry waits 60 s longer, within 600
MAX_STALE_MINUTES = 7 * 24 * 60  # a week; also keeps every wait within what threading accepts
DEFAULT_PORTS = {"http": 80, "https": 443}
HIDDEN = "[hidden]"  # a hook argument (a webhook id, a token) in `config show` / `doctor`

ENV_OVERRIDES = {
    "web_url": "CLAUDE_CARTHING_WEB_URL",
    "api_url": "CLAUDE_CARTHING_API_URL",
    "claude_path": "CLAUDE_CARTHING_CLAUDE_PATH",
    "language": "CLAUDE_CARTHING_LANGUAGE",
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


def normal_origin(text: str) -> str:
    """Return an origin as browsers send it (`scheme://host[:port]`, lower case, no default port).

    Raises ValueError for anything that is not a bare origin (a path, a query, a user name...).
    """
    text = text.strip()
    if text in ("null", "file://"):
        return text
    url = urlsplit(text)
    port = url.port  # raises ValueError on a port out of range
    host = url.hostname or ""
    if (url.scheme not in DEFAULT_PORTS or not _is_host(host) or url.path not in ("", "/")
            or "?" in text or "#" in text or "@" in url.netloc):
        raise ValueError(text)
    if ":" in host:
        host = f"[{host}]"
    return f"{url.scheme}://{host}" + (f":{port}" if port not in (None, DEFAULT_PORTS[url.scheme])
                                       else "")


def _is_origin(text: str) -> bool:
    try:
        return normal_origin(text) == text
    except ValueError:
        return False


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _shell_split(text: str) -> list[str]:
    """Split a command line as the user's shell would (quotes group words)."""
    if not WINDOWS:
        return shlex.split(text)
    # POSIX rules would eat the backslashes of C:\paths: keep them, then drop outer quotes.
    return [p[1:-1] if len(p) > 1 and p[0] == p[-1] and p[0] in "\"'" else p
            for p in shlex.split(text, posix=False)]


def _command(raw: Any) -> tuple[str, ...]:
    """Turn a hook value (a JSON list, or a command line) into an argv."""
    if isinstance(raw, str):
        text = raw.strip()
        raw = json.loads(text) if text.startswith("[") else _shell_split(text)
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise TypeError(raw)
    return tuple(raw)


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
    approval_timeout: int = 120  # seconds a permission request waits for the dial
    language: str = "auto"  # what the page, status, tray and alerts speak; auto: the PC's locale

    def __post_init__(self) -> None:
        # Stored as browsers send them, or the guard would never match (an invalid one stays
        # as it is, for `validated` to name).
        origins = []
        for origin in self.cors_origins:
            try:
                origins.append(normal_origin(origin))
            except ValueError:
                origins.append(origin)
        object.__setattr__(self, "cors_origins", tuple(origins))

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
            _require(_is_origin(origin), "cors_origins",
                     f"{origin!r} is not an origin like http://192.168.1.5:8080, with no path "
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
        _require(self.language == AUTO_LANGUAGE or normalize_language(self.language) is not None,
                 "language", f"must be {AUTO_LANGUAGE} or one of {', '.join(LANGUAGES)} "
                 "(a region may follow for its formats, e.g. en-GB)")
        self._validate_alerts()
        return self

    def _validate_alerts(self) -> None:
        _require(self.notify in NOTIFY_MODES, "notify", f"must be one of {', '.join(NOTIFY_MODES)}")
        _require(_are_percentages(self.notify_thresholds), "notify_thresholds",
                 "must be percentages between 1 and 100, e.g. 80,95")
        _require(1 <= self.notify_stale_minutes <= MAX_STALE_MINUTES, "notify_stale_minutes",
                 f"must be at least 1 and at most {MAX_STALE_MINUTES} (a week)")
        _require(not self.hook or bool(self.hook[0].strip()), "hook",
                 "must start with a program name")
        _require(0 <= self.notify_waiting_minutes <= MAX_WAITING_MINUTES,
                 "notify_waiting_minutes",
                 f"must be 0 (never) to {MAX_WAITING_MINUTES} minutes")
        _require(MIN_APPROVAL_S <= self.approval_timeout <= MAX_APPROVAL_S, "approval_timeout",
                 f"must be at least {MIN_APPROVAL_S} and at most {MAX_APPROVAL_S} seconds")
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

    def public_dict(self, show_secrets: bool = False) -> dict[str, Any]:
        """Return the settings as plain JSON data; the hook's arguments hidden unless asked."""
        data = {k: stored_form(k, v) for k, v in asdict(self).items()}
        if self.hook and not show_secrets:
            # A hook's arguments may hold a webhook id or an ntfy token; its program does not.
            data["hook"] = [self.hook[0], *(HIDDEN for _ in self.hook[1:])]
        return data

    def notes(self) -> list[str]:
        """Return what the user should know about settings that are valid but not in effect."""
        if self.max_interval < self.interval:
            return [f"max_interval {self.max_interval} is below interval {self.interval}, so it "
                    f"is not in effect: reads come every {self.interval} s"]
        return []


def stored_form(name: str, value: Any) -> Any:
    """Return a value as the config file and `config show` hold it (lists; numbers as numbers)."""
    if name == "notify_thresholds":
        return [_number(v) for v in value]
    return list(value) if isinstance(value, tuple) else value


def _coerce(name: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        raise SettingsError(f"unknown setting {name!r}; known: {', '.join(sorted(kinds))}", name)
    kind = str(kinds[name])
    try:
        return _command(raw) if name == "hook" else _convert(kind, raw)
    except (TypeError, ValueError, OverflowError) as exc:
        if name == "hook":
            # The value is not repeated: a broken hook line may still hold a token.
            raise SettingsError("setting hook: not a command; give it as you would "
                                "type it, e.g. notify-send Claude, or as a JSON list, e.g. "
                                '["curl", "-d", "@-", "https://ntfy.sh/TOPIC"]', name) from exc
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


def _fix_advice(name: str, known: bool) -> str:
    if known:
        return (f"fix it with `claude-carthing config set {name} VALUE`, or go back to the "
                f"default with `claude-carthing config unset {name}`")
    # `config set` can never store an unknown name: only removing the line helps.
    return f"remove the line, or run `claude-carthing config unset {name}`"


def _check_file(path: Path, stored: dict[str, Any]) -> tuple[dict[str, Any], list[SettingsError]]:
    """Return the file's good values, coerced, and one error per bad line (file and setting named).

    Each line is checked on its own, so one bad line never hides or blocks another.
    """
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    problems: list[SettingsError] = []
    for name, raw in stored.items():
        try:
            value = _coerce(name, raw)
            replace(Settings(), **{name: value}).validated()  # defaults are valid: it is this one
        except SettingsError as exc:
            problems.append(SettingsError(f"{path}: {exc}; {_fix_advice(name, name in known)}",
                                          name))
        else:
            values[name] = value
    return values, problems


def _from_file(path: Path, stored: dict[str, Any]) -> dict[str, Any]:
    """Return the file's values coerced and checked; errors name the file and the setting."""
    values, problems = _check_file(path, stored)
    if problems:
        raise problems[0]
    return values


def _from_environment(values: dict[str, Any], problems: list[SettingsError] | None) -> None:
    for name, env in ENV_OVERRIDES.items():
        if os.environ.get(env):
            value: Any = os.environ[env].rstrip("/")
            try:
                replace(Settings(), **{name: value}).validated()
            except SettingsError as exc:
                error = SettingsError(f"environment variable {env}: {exc}", name)
                if problems is None:
                    raise error from None
                problems.append(error)
            else:
                values[name] = value


def load_settings(**overrides: Any) -> Settings:
    """Return defaults, updated by the config file, the environment, then explicit overrides."""
    path = paths.config_file()
    values = _from_file(path, read_config_file(path))
    _from_environment(values, None)
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(name, raw)
    return replace(Settings(), **values).validated()


def load_settings_leniently(**overrides: Any) -> tuple[Settings, list[SettingsError]]:
    """Return the settings without the bad lines, and what is wrong with them (for `doctor`)."""
    path = paths.config_file()
    problems: list[SettingsError] = []
    try:
        values, problems = _check_file(path, read_config_file(path))
    except SettingsError as exc:  # not JSON at all: every line is the default
        values, problems = {}, [exc]
    _from_environment(values, problems)
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(name, raw)
    return replace(Settings(), **values).validated(), problems


def set_setting(name: str, raw: str) -> tuple[Settings, list[str]]:
    """Validate and store one setting; return the resulting settings and warnings about others.

    Only the setting being set is checked strictly: other bad lines are warned about and kept,
    so two bad settings can be fixed one at a time.
    """
    path = paths.config_file()
    stored = read_config_file(path)
    value = _coerce(name, raw)
    if name == "hook" and not value:
        raise SettingsError("setting hook: an empty command; `claude-carthing config unset hook` "
                            "turns the hook off", name)
    alone = replace(Settings(), **{name: value}).validated()  # the new value alone, named
    stored[name] = stored_form(name, getattr(alone, name))  # as normalised (cors_origins)
    values, problems = _check_file(path, stored)
    settings = replace(Settings(), **values)
    if name == "max_interval" and value < settings.interval:
        raise SettingsError(f"setting max_interval: must be at least interval "
                            f"({settings.interval} s)", name)
    paths.ensure_home()
    write_private(path, json.dumps(stored, indent=2) + "\n")
    return settings, [f"warning: {p}" for p in problems] + [
        f"note: {n}" for n in settings.notes()]


def unset_setting(name: str) -> tuple[bool, list[str]]:
    """Remove one line (a known setting or not) from the config file.

    Return whether it was there, and warnings about the lines that are still bad.
    """
    path = paths.config_file()
    stored = read_config_file(path)
    found = name in stored
    if found:
        del stored[name]
        write_private(path, json.dumps(stored, indent=2) + "\n")
    return found, [f"warning: {p}" for p in _check_file(path, stored)[1]]


def write_private(path: Path, text: str) -> None:
    """Write a file atomically, readable by the user alone (mode 600; an ACL on Windows)."""
    from claude_carthing import private

    # A new name, opened exclusively (O_EXCL) without following links (O_NOFOLLOW), mode 600.
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
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
