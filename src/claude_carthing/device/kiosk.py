"""Text edits that point each generation's kiosk at a URL; everything else is kept as is."""

from __future__ import annotations

import re

from claude_carthing.device.transport import DeviceError

_APP_FLAG = re.compile(r"""--app=(?:'[^']*'|"[^"]*"|[^\s'"]+)""")
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^(\s*)(command|environment)(\s*=\s*)(.*)$")
_ENV_PAIR = re.compile(r"""\s*,?\s*NOCTURNE_CHROMIUM_URL=(?:"[^"]*"|'[^']*'|[^,]*)""")
URL_ENV = "NOCTURNE_CHROMIUM_URL"
START_CHROMIUM = "/bin/start-chromium"  # v4.0.7's launcher


def check_url(url: str) -> str:
    """Refuse URLs that could break out of the quoting we put them in."""
    if re.search(r"""[\s'"`\\$%]""", url):
        raise DeviceError(f"the kiosk URL may not contain spaces, quotes, $, % or \\: {url!r}")
    return url


def set_app_flag(text: str, url: str) -> str:
    """Replace the `--app=` flag of a launch script (v3's /etc/sv/chromium/run)."""
    if not _APP_FLAG.search(text):
        raise DeviceError("the kiosk's launch script has no --app= flag to point at the page")
    return _APP_FLAG.sub(lambda _m: f"--app='{check_url(url)}'", text, count=1)


def app_flag(text: str) -> str | None:
    """Return the URL of the first `--app=` flag, unquoted, or None."""
    match = _APP_FLAG.search(text)
    return match.group(0)[len("--app="):].strip("'\"") if match else None


def _chromium_lines(lines: list[str]) -> tuple[int, int]:
    start = end = -1
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match and start >= 0:
            end = i
            break
        if match and match.group(1).strip() == "program:chromium":
            start = i
    if start < 0:
        raise DeviceError("/etc/supervisord.conf has no [program:chromium] section")
    return start, end if end >= 0 else len(lines)


def set_supervisord_url(text: str, url: str) -> str:
    """Point `[program:chromium]` at a URL, decided by what its `command=` line holds.

    v4.0.0-v4.0.6 put the whole browser command there: its `--app=` flag is edited. v4.0.7
    has `command=/bin/start-chromium`, which opens `NOCTURNE_CHROMIUM_URL`; supervisord passes
    it through the program's `environment=` line. Anything else is refused, not guessed at.
    """
    check_url(url)
    lines = text.splitlines(keepends=True)
    start, end = _chromium_lines(lines)
    keys = {m.group(2): i for i in range(start, end) if (m := _KEY.match(lines[i]))}
    if "command" not in keys:
        raise DeviceError("[program:chromium] in /etc/supervisord.conf has no command= line")
    command_at = keys["command"]
    if _APP_FLAG.search(lines[command_at]):
        lines[command_at] = set_app_flag(lines[command_at], url)
        return "".join(lines)
    command = lines[command_at].split("=", 1)[1].strip()
    if command.split()[:1] != [START_CHROMIUM]:
        raise DeviceError(
            "[program:chromium] in /etc/supervisord.conf starts neither a browser with --app="
            f" nor {START_CHROMIUM}, so deploy does not know where its URL is: {command!r}"
        )
    pair = f'{URL_ENV}="{url}"'
    if "environment" in keys:
        i = keys["environment"]
        m = _KEY.match(lines[i])
        assert m is not None  # noqa: S101 - matched when the index was built
        value = _ENV_PAIR.sub("", m.group(4).rstrip("\r\n")).strip().strip(",").strip()
        value = f"{value},{pair}" if value else pair
        lines[i] = f"{m.group(1)}environment{m.group(3)}{value}\n"
    else:
        if not lines[command_at].endswith("\n"):
            lines[command_at] += "\n"
        lines.insert(command_at + 1, f"environment={pair}\n")
    return "".join(lines)


def supervisord_url(text: str) -> str | None:
    """Return the URL `[program:chromium]` opens, as far as the file says."""
    lines = text.splitlines()
    start, end = _chromium_lines(lines)
    for line in lines[start:end]:
        m = _KEY.match(line)
        if m and m.group(2) == "command" and app_flag(line):
            return app_flag(line)
        if m and m.group(2) == "environment":
            found = re.search(r"""NOCTURNE_CHROMIUM_URL=("[^"]*"|'[^']*'|[^,\s]*)""", line)
            if found:
                return found.group(1).strip("'\"")
    return None


def set_kiosk_env(text: str | None, url: str) -> str:
    """Set `KIOSK_URL=` in v4.1's /opt/nocturne/kiosk-env, keeping every other line."""
    line = f"KIOSK_URL='{check_url(url)}'\n"
    if not text:
        return line
    lines = text.splitlines(keepends=True)
    for i, old in enumerate(lines):
        if re.match(r"^\s*(export\s+)?KIOSK_URL=", old):
            lines[i] = line
            return "".join(lines)
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join([*lines, line])


def kiosk_env_url(text: str | None) -> str | None:
    """Return the KIOSK_URL a shell-style env file sets, or None."""
    for old in (text or "").splitlines():
        m = re.match(r"""^\s*(?:export\s+)?KIOSK_URL=(.*)$""", old)
        if m:
            return m.group(1).strip().strip("'\"")
    return None


WAIT_ENV = "NOCTURNE_CHROMIUM_WAIT_URL"
DEFAULT_WAIT_URL = "http://127.0.0.1:8080/"  # nocturned, in v4.0.7's start-chromium


def starts_through_launcher(conf: str) -> bool:
    """Return True when `[program:chromium]` runs v4.0.7's /bin/start-chromium."""
    lines = conf.splitlines()
    start, end = _chromium_lines(lines)
    for line in lines[start:end]:
        m = _KEY.match(line)
        if m and m.group(2) == "command":
            return m.group(4).split()[:1] == [START_CHROMIUM]
    return False


def launcher_wait_url(conf: str, launcher: str | None) -> str:
    """Return the URL start-chromium waits for: the program's environment, else its default."""
    lines = conf.splitlines()
    start, end = _chromium_lines(lines)
    for line in lines[start:end]:
        m = _KEY.match(line)
        found = re.search(rf"""{WAIT_ENV}=("[^"]*"|'[^']*'|[^,\s]*)""", line) if m else None
        if m and m.group(2) == "environment" and found:
            return found.group(1).strip("'\"")
    default = re.search(r"\$\{" + WAIT_ENV + r""":-([^}"']+)\}""", launcher or "")
    return default.group(1) if default else DEFAULT_WAIT_URL
