"""What `login` accepts: a session key, a `Cookie` header, or a browser's "Copy as cURL" text.

Only claude.ai's `sessionKey`, `cf_clearance` and `__cf_bm` are kept; everything else that was
pasted (other cookies, headers, the URL) is dropped here and never stored or shown.
"""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit

from claude_carthing.errors import CarthingError

SESSION = "sessionKey"
CLOUDFLARE = ("cf_clearance", "__cf_bm")
KEPT = (SESSION, *CLOUDFLARE)
CLAUDE_HOST = "claude.ai"


class PastedTextError(CarthingError):
    """What was pasted holds no usable claude.ai session."""

    kind = "not_configured"


def parse_cookie_header(value: str) -> dict[str, str]:
    """Return the kept cookies of a `Cookie` header value (`a=b; c=d`)."""
    found: dict[str, str] = {}
    for part in value.split(";"):
        name, sep, raw = part.strip().partition("=")
        name = name.strip()
        if sep and name in KEPT:
            found[name] = raw.strip().strip('"')
    return found


def _continued(text: str) -> str:
    """Join lines continued with `\\` (bash), `^` (cmd) or a backtick (PowerShell)."""
    return re.sub(r"[ \t]*(\\|\^|`)\r?\n[ \t]*", " ", text)


def _from_curl(text: str) -> dict[str, str]:
    joined = _continued(text.strip())
    if '^"' in joined:  # Chrome's "Copy as cURL (cmd)": ^ escapes every special character
        joined = re.sub(r"\^(.)", r"\1", joined)
    try:
        words = shlex.split(joined)
    except ValueError as exc:
        raise PastedTextError("the pasted cURL command is cut off (unbalanced quotes); copy it "
                              "again") from exc
    found: dict[str, str] = {}
    hosts: list[str] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in ("-H", "--header") and following.lower().startswith("cookie:"):
            found.update(parse_cookie_header(following.split(":", 1)[1]))
        elif word in ("-b", "--cookie") and "=" in following:
            found.update(parse_cookie_header(following))
        elif word.startswith(("http://", "https://")) or (word == "--url" and following):
            url = following if word == "--url" else word
            hosts.append((urlsplit(url).hostname or "").lower())
    for host in hosts:
        if host != CLAUDE_HOST and not host.endswith("." + CLAUDE_HOST):
            raise PastedTextError(f"this cURL command is for {host or 'an unknown site'}, not "
                                  f"claude.ai: copy a request to claude.ai")
    return found


def parse_login_input(text: str) -> dict[str, str]:
    """Return `sessionKey` (always) and any Cloudflare cookies found in what was pasted."""
    stripped = text.strip()
    if not stripped:
        raise PastedTextError("nothing was pasted")
    if re.match(r"curl(\.exe)?\s", stripped, re.IGNORECASE):
        found = _from_curl(stripped)
    else:
        stripped = stripped.strip('"').strip("'").strip()
        header = re.match(r"cookie\s*:\s*(.*)", stripped, re.IGNORECASE | re.DOTALL)
        if header:
            found = parse_cookie_header(header.group(1).replace("\n", ";"))
        elif "=" in stripped and not stripped.startswith("sk-ant-"):
            found = parse_cookie_header(stripped.replace("\n", ";"))
        else:
            found = {SESSION: stripped}
    if not found.get(SESSION):
        raise PastedTextError("no sessionKey cookie in what was pasted: paste the sessionKey "
                              "value, the whole Cookie header, or a request copied as cURL")
    return {name: found[name] for name in KEPT if found.get(name)}


def continues(line: str) -> bool:
    """Return True when a pasted line says another follows (a shell line continuation)."""
    return line.rstrip("\r\n").endswith(("\\", "^", "`"))
