"""Checks of this PC: versions, home folder, credentials, a live read, the server, the USB link."""

from __future__ import annotations

import os
import platform
import socket
import stat
import urllib.error
import urllib.request
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from claude_carthing import __version__, errors, paths, private
from claude_carthing.account_scope import current
from claude_carthing.claude_code.get_usage import ClaudeCodeError, ClaudeCodeLoginError
from claude_carthing.doctor.model import Check, Status, Timer
from claude_carthing.local_http import get_json
from claude_carthing.settings import Settings, SettingsError
from claude_carthing.upstream import credentials
from claude_carthing.usb import Adapter, find_adapters

WINDOWS = os.name == "nt"
DEPENDENCIES = ("typer", "rich", "starlette", "uvicorn", "curl_cffi", "paramiko", "keyring")


def check_versions() -> Check:
    """Python and package versions."""
    found: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    data = {"python": platform.python_version(), "claude_carthing": __version__,
            "platform": platform.platform(), "packages": found}
    missing = [n for n, v in found.items() if v is None]
    summary = f"Python {data['python']}, claude-carthing {__version__}"
    if missing:
        return Check("versions", "fail", f"{summary}; missing {', '.join(missing)}",
                     "Reinstall: pip install --force-reinstall claude-carthing", data=data)
    return Check("versions", "ok", summary, data=data)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def check_home() -> Check:
    """The home folder exists and the secrets file is private."""
    home, secrets = paths.home_dir(), paths.secrets_file()
    data: dict[str, Any] = {"home": str(home), "secrets_file": str(secrets),
                            "secrets_file_exists": secrets.exists()}
    if not home.exists():
        return Check("home folder", "warn", f"{home} does not exist yet",
                     "Run `claude-carthing login` (it creates the folder).", data=data)
    if not os.access(home, os.W_OK):
        return Check("home folder", "fail", f"{home} is not writable",
                     f"Give your user write access to {home}.", data=data)
    if WINDOWS and secrets.exists():
        others = private.foreign_access(secrets)
        data["secrets_file_others"] = others
        if others:
            return Check("home folder", "fail", f"{secrets} is readable by {', '.join(others)}",
                         private.fix_text(secrets), data=data)
    if not WINDOWS and secrets.exists():
        mode = _mode(secrets)
        data["secrets_file_mode"] = oct(mode)
        if mode & 0o077:
            return Check("home folder", "fail", f"{secrets} is readable by others ({oct(mode)})",
                         f"chmod 600 {secrets}", data=data)
    if not WINDOWS and _mode(home) & 0o077:
        data["home_mode"] = oct(_mode(home))
        return Check("home folder", "warn", f"{home} is open to others ({oct(_mode(home))})",
                     f"chmod 700 {home}", data=data)
    return Check("home folder", "ok", str(home), data=data)


def check_config(settings: Settings, problems: list[SettingsError],
                 show_secrets: bool = False) -> Check:
    """The config file's lines each have a usable value (bad ones are left out of the run)."""
    data: dict[str, Any] = {"file": str(paths.config_file()),
                            "settings": settings.public_dict(show_secrets),
                            "notes": settings.notes(), "problems": [str(p) for p in problems]}
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Check("config", "fail", f"{problems[0]}{more}; doctor checked with the default "
                     "instead", "Fix or remove each line named (`claude-carthing config set` / "
                     "`config unset`).", data=data)
    if settings.notes():
        return Check("config", "warn", settings.notes()[0], "Raise max_interval or lower "
                     "interval (`claude-carthing config set`).", data=data)
    return Check("config", "ok", str(paths.config_file()), data=data)


def _claude_code_login(settings: Settings | None, data: dict[str, Any]) -> Path | None:
    """Fill in the `claude` command and Claude Code's login; return the command's path."""
    from claude_carthing.claude_code.locate import find_claude

    claude = find_claude(settings.claude_path if settings else "")
    data["claude_code"] = str(claude) if claude else "not found"
    try:
        oauth = credentials.read_oauth()
        if oauth is None:
            data["oauth"] = "absent"
        else:
            data["oauth"] = "expired" if oauth.expired() else "present"
            data["oauth_expires_at"] = oauth.expires_at.isoformat() if oauth.expires_at else None
            data["oauth_has_profile_scope"] = "user:profile" in oauth.scopes
    except credentials.CredentialsError as exc:
        data["oauth"] = f"unreadable: {exc}"
    return claude


def check_credentials(settings: Settings | None = None, *, several: bool = False) -> Check:
    """Credentials present for each source of the current account (their values never leave
    this function); `several`: other accounts exist, so say which Claude Code folder is read."""
    account = current()
    # An account without a Claude Code folder of its own is read through its claude.ai session
    # only: the Claude Code login on this PC is another account's.
    own_claude_code = account.is_default or account.config_dir is not None
    data: dict[str, Any] = {}
    claude = None
    if own_claude_code:
        data["claude_code_folder"] = str(credentials.claude_config_dir())
        claude = _claude_code_login(settings, data)
    try:
        web = credentials.read_web()
        data["web"] = f"present ({web.where})" if web else "absent"
    except credentials.CredentialsError as exc:
        data["web"] = f"unreadable: {exc}"
    data["keyring"] = credentials.keyring_backend() or "none"
    if not own_claude_code:
        summary = f"claude.ai session only; session key: {data['web']}"
        usable = str(data["web"]).startswith("present")
    else:
        where = f" in {data['claude_code_folder']}" if several else ""
        summary = (f"`claude` command: {'found' if claude else 'not found'}; "
                   f"Claude Code login{where}: {data['oauth']}; session key: {data['web']}")
        usable = data["oauth"] == "present" or str(data["web"]).startswith("present") or (
            claude is not None and (settings is None or settings.source in ("auto",
                                                                             "claude-code")))
    if usable:
        return Check("credentials", "ok", summary, data=data)
    if data.get("oauth") == "expired":
        return Check("credentials", "fail", summary,
                     "Open Claude Code once (it refreshes its login), or run "
                     "`claude-carthing login`.", data=data)
    return Check("credentials", "fail", summary,
                 "Run `claude-carthing login` (or log in to Claude Code on this PC)."
                 if own_claude_code else "Run `claude-carthing login`.", data=data)


FIXES: dict[type[errors.CarthingError], tuple[str, str]] = {
    ClaudeCodeLoginError: ("Claude Code login", "Run `claude` once and log in (a normal "
                           "login, not `claude setup-token`), or use `claude-carthing login`."),
    ClaudeCodeError: ("Claude Code", "Check that `claude` runs in a terminal (or set "
                      "claude_path); `--source auto` uses the other routes meanwhile."),
    errors.SessionExpiredError: ("expired session", "Run `claude-carthing login` again."),
    errors.WrongOrgError: ("wrong organization", "Run `claude-carthing login` again (or turn "
                           "the VPN off)."),
    errors.OAuthScopeError: ("token lacks user:profile", "Log in to Claude Code with `claude` "
                             "(not `claude setup-token`) or use `claude-carthing login`."),
    errors.OAuthTokenError: ("Claude Code login expired", "Open Claude Code once to refresh "
                             "its login, or run `claude-carthing login`."),
    errors.CloudflareChallengeError: ("Cloudflare challenge", "Wait and retry; use the Claude "
                                      "Code login (no Cloudflare) if it persists."),
    errors.RateLimitedError: ("rate limited", "Wait a few minutes; do not lower the interval."),
    errors.NetworkError: ("network", "Check this PC's internet connection, proxy or VPN."),
    errors.ServerError: ("Claude server error", "Claude is having trouble; retry later."),
    errors.SchemaError: ("unreadable answer", "Update claude-carthing; Claude changed its API."),
    errors.NotConfiguredError: ("not logged in", "Run `claude-carthing login`."),
}


def _failure_class(exc: errors.CarthingError) -> tuple[str, str]:
    for kind in type(exc).__mro__:
        if kind in FIXES:
            return FIXES[kind]
    return (exc.kind, "Run `claude-carthing doctor` again; report the message if it stays.")


def check_live_read(settings: Settings) -> Check:
    """One usage read from Claude right now, and its failure class."""
    from claude_carthing.upstream.sources import ClaudeSource

    source = ClaudeSource(settings)
    try:
        reading = source.read()
    except errors.CarthingError as exc:
        label, fix = _failure_class(exc)
        status: Status = "warn" if isinstance(exc, errors.RateLimitedError) else "fail"
        return Check("live usage read", status, f"{label}: {exc}", fix,
                     data={"failure_class": label, "error_kind": exc.kind})
    finally:
        source.close()
    windows = len(reading.usage.windows)
    summary = f"read through {reading.source}: {windows} windows"
    data: dict[str, Any] = {"source": reading.source, "windows": windows}
    if source.claude_code_problem and reading.source != "claude-code":
        summary += f" (Claude Code did not answer: {source.claude_code_problem})"
        data["claude_code_problem"] = source.claude_code_problem
    return Check("live usage read", "ok", summary, data=data)


def _tcp_open(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def check_server(port: int, usb_host: str | None, timeout: float = 2.0) -> Check:
    """The server answers /health on loopback, and on the USB address the device uses."""
    url = f"http://127.0.0.1:{port}/health"
    try:
        health = get_json(url, timeout)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        return Check("server", "fail", f"nothing answers {url} ({getattr(exc, 'reason', exc)})",
                     "Start it: `claude-carthing serve` (or `claude-carthing autostart "
                     "enable`).", data={"url": url})
    data: dict[str, Any] = {"url": url, "health": health, "reachable_on": ["127.0.0.1"]}
    summary = f"answers on 127.0.0.1:{port} (state {health.get('state')})"
    if usb_host and usb_host != "127.0.0.1":
        if _tcp_open(usb_host, port, timeout):
            data["reachable_on"].append(usb_host)
            summary += f" and on {usb_host}:{port}"
        else:
            return Check("server", "fail", summary + f"; not on {usb_host}:{port}",
                         "Bind all interfaces: `claude-carthing serve --host 0.0.0.0`.", data=data)
    if health.get("state") in ("error", "not_configured"):
        return Check("server", "warn", summary + f": {health.get('last_error')}",
                     "See the credentials and live usage read checks above.", data=data)
    return Check("server", "ok", summary, data=data)


def check_usb(adapters: list[Adapter] | None = None) -> tuple[Check, Adapter | None]:
    """The Car Thing's USB adapter and this PC's address on it."""
    timer = Timer()
    found = find_adapters() if adapters is None else adapters
    if not found:
        return Check("USB link", "fail", "no Car Thing USB network adapter found",
                     "Plug the Car Thing in with a data cable, wait for it to boot, then run "
                     "`claude-carthing usb-setup`.", ms=timer.ms), None
    adapter = found[0]
    data = {"adapter": adapter.name, "kind": adapter.kind, "addresses": list(adapter.addresses),
            "evidence": adapter.evidence}
    if adapter.host_address is None:
        return Check("USB link", "fail", f"{adapter.name} ({adapter.kind}) has no address on "
                     f"{adapter.subnet}", "Run `claude-carthing usb-setup`.", timer.ms,
                     data), adapter
    return Check("USB link", "ok", f"{adapter.name} ({adapter.kind.upper()}) has "
                 f"{adapter.host_address}; device at {adapter.device_address}", None, timer.ms,
                 data), adapter
