"""All HTTP to Claude. One private request function owns URLs, headers, timeouts and the
translation of every failure into the exception tree of `errors`."""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from curl_cffi import requests as curl
from curl_cffi.requests.exceptions import RequestException, Timeout

from claude_carthing import errors
from claude_carthing.account_scope import login_command
from claude_carthing.models import Usage
from claude_carthing.plans import plan_name
from claude_carthing.settings import Settings
from claude_carthing.upstream.cookies import CLOUDFLARE
from claude_carthing.upstream.credentials import OAuthCredentials, WebCredentials
from claude_carthing.upstream.wire import parse_usage

log = logging.getLogger(__name__)

OAUTH_BETA = "oauth-2025-04-20"
BROWSER = "chrome"


@dataclass(frozen=True)
class Org:
    """A claude.ai organization the session belongs to."""

    uuid: str
    name: str
    capabilities: tuple[str, ...]
    rate_limit_tier: str | None

    @property
    def plan(self) -> str | None:
        """Return the plan name its tier or capabilities say (Ultra, Max, Pro, Team...)."""
        return plan_name(self.rate_limit_tier, None, self.capabilities)


@dataclass(frozen=True)
class WebExtras:
    """What route W sends besides the session key: Cloudflare cookies and a device id."""

    cookies: dict[str, str] = field(default_factory=dict)
    device_id: str | None = None


@dataclass(frozen=True)
class WebReading:
    """What a route-W read returns besides usage: the org, a rotated key, fresh cookies."""

    usage: Usage
    org: Org | None
    new_session_key: str | None
    new_cookies: dict[str, str] = field(default_factory=dict)  # refreshed Cloudflare cookies


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    text: str
    cookies: dict[str, str]


class UsageClient:
    """Reads usage from claude.ai (route W) or the OAuth usage endpoint (route O)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session: curl.Session[curl.Response] = curl.Session()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._session.close()

    # --- route O ---------------------------------------------------------------------------

    def fetch_oauth(self, creds: OAuthCredentials) -> Usage:
        """Read usage with Claude Code's OAuth token."""
        if creds.expired():
            raise errors.OAuthTokenError(
                "Claude Code's login has expired: open Claude Code to refresh it",
                request_sent=False,
            )
        url = f"{self._settings.api_url}/api/oauth/usage"
        headers = {
            "Authorization": f"Bearer {creds.access_token}",
            "anthropic-beta": OAUTH_BETA,
            "User-Agent": f"claude-code/{self._settings.claude_code_version}",
            "Accept": "application/json",
        }
        try:
            response = self._request(url, headers=headers, route="oauth")
        except errors.RateLimitedError as exc:
            # Claude now answers an expired (or expiring) token with 429 and a long retry-after.
            soon = datetime.now(timezone.utc) + timedelta(seconds=self._settings.interval)
            if creds.expired(soon):
                raise errors.OAuthTokenError(
                    "Claude Code's login has expired or is about to: open Claude Code to refresh it"
                ) from exc
            raise
        return parse_usage(_json(response))

    # --- route W ---------------------------------------------------------------------------

    def list_orgs(self, session_key: str, extra: WebExtras | None = None) -> list[Org]:
        """Return the organizations of a claude.ai session."""
        url = f"{self._settings.web_url}/api/organizations"
        response = self._web_request(url, session_key, extra)
        data = _json(response)
        if not isinstance(data, list):
            raise errors.SchemaError("claude.ai's organization list was not a list")
        orgs = []
        for item in data:
            if isinstance(item, dict) and isinstance(item.get("uuid"), str):
                caps = tuple(c for c in item.get("capabilities") or () if isinstance(c, str))
                tier = item.get("rate_limit_tier")
                orgs.append(
                    Org(item["uuid"], str(item.get("name") or ""), caps,
                        tier if isinstance(tier, str) else None)
                )
        return orgs

    def discover_org(self, session_key: str, extra: WebExtras | None = None) -> Org:
        """Pick the org whose usage to read: chat-capable, else not API-only, else the first."""
        orgs = self.list_orgs(session_key, extra)
        if not orgs:
            raise errors.WrongOrgError("this claude.ai session belongs to no organization")
        for org in orgs:
            if "chat" in org.capabilities:
                return org
        for org in orgs:
            if set(org.capabilities) != {"api"}:
                return org
        return orgs[0]

    def fetch_web(self, creds: WebCredentials, extra: WebExtras | None = None) -> WebReading:
        """Read usage with a claude.ai session key, finding the org again if it went stale."""
        org: Org | None = None
        org_id = creds.org_id
        key = creds.session_key
        if not org_id:
            org = self.discover_org(key, extra)
            org_id = org.uuid
        try:
            response = self._web_usage(org_id, key, extra)
        except errors.WrongOrgError:
            fresh = self.discover_org(key, extra)
            if fresh.uuid == org_id:
                raise
            log.info("The stored organization no longer matches this session; using another.")
            org = fresh
            response = self._web_usage(fresh.uuid, key, extra)
        rotated = response.cookies.get("sessionKey")
        new_key = rotated if rotated and rotated != key else None
        sent = extra.cookies if extra else {}
        refreshed = {name: value for name, value in response.cookies.items()
                     if name in CLOUDFLARE and value and value != sent.get(name)}
        return WebReading(parse_usage(_json(response)), org, new_key, refreshed)

    def _web_usage(self, org_id: str, session_key: str, extra: WebExtras | None) -> _Response:
        url = f"{self._settings.web_url}/api/organizations/{org_id}/usage"
        return self._web_request(url, session_key, extra)

    def _web_request(self, url: str, session_key: str, extra: WebExtras | None) -> _Response:
        """Send the session key with the Cloudflare cookies and the stable device id."""
        cookies = {**(extra.cookies if extra else {}), "sessionKey": session_key}
        headers = {"anthropic-device-id": extra.device_id} if extra and extra.device_id else {}
        return self._request(url, cookies=cookies, headers=headers, route="web")

    # --- the one request function ----------------------------------------------------------

    def _request(
        self,
        url: str,
        *,
        route: str,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> _Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        try:
            raw = self._session.get(
                url,
                headers=all_headers,
                cookies=cookies,
                timeout=self._settings.timeout,
                impersonate=BROWSER if route == "web" else None,
                allow_redirects=False,
            )
        except Timeout as exc:
            raise errors.NetworkError("Claude did not answer in time (timeout)") from exc
        except RequestException as exc:
            raise errors.NetworkError(f"cannot reach Claude: {_curl_reason(exc)}") from exc
        response = _Response(
            status=raw.status_code,
            headers={k.lower(): v for k, v in raw.headers.items() if v is not None},
            text=raw.text,
            cookies=_set_cookies(raw.headers),
        )
        self._session.cookies.clear()  # we send credentials explicitly; keep no cookie jar
        problem = classify(response.status, response.headers, response.text, route)
        if problem is not None:
            raise problem
        return response


def _set_cookies(headers: Any) -> dict[str, str]:
    """Return the cookies a response sets (name -> value) from its `Set-Cookie` headers."""
    values = headers.get_list("set-cookie") if hasattr(headers, "get_list") else []
    found: dict[str, str] = {}
    for value in values or []:
        name, _, rest = str(value).partition("=")
        found[name.strip()] = rest.split(";", 1)[0].strip()
    return found


def _curl_reason(exc: Exception) -> str:
    text = str(exc)
    # curl messages start with "Failed to perform, curl: (7) ..."; keep the readable part only.
    if "curl: (" in text:
        text = text.split("curl: (", 1)[1]
        text = text.split(")", 1)[1].strip() if ")" in text else text
    text = re.sub(r" after \d+ ms", "", text)  # "after 0 ms" reads like a bug to a user
    return text.split(". See ")[0][:200] or type(exc).__name__


def _json(response: _Response) -> Any:
    try:
        return json.loads(response.text)
    except ValueError as exc:
        raise errors.SchemaError("Claude answered with something that is not JSON") from exc


# Words only Cloudflare's challenge pages carry ("Just a moment...", the older "Checking your
# browser" 503, the block page); its 5xx error pages (502, 521, 522) carry none of them.
_CHALLENGE_MARKS = ("just a moment", "checking your browser", "cf-browser-verification",
                    "challenge-platform", "cf_chl", "attention required")


def _is_html(headers: dict[str, str], text: str) -> bool:
    head = text.lstrip()[:256].lower()
    return head.startswith(("<!doctype html", "<html")) or "text/html" in headers.get(
        "content-type", "")


def _is_challenge(status: int, headers: dict[str, str], text: str) -> bool:
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if not _is_html(headers, text):
        return False
    page = text[:65536].lower()  # the marks can sit after kilobytes of inline style
    if any(mark in page for mark in _CHALLENGE_MARKS):
        return True
    return status == 403 and "cloudflare" in page


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Read `Retry-After` (seconds or an HTTP date); None if absent, zero, endless or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - (now or time.time())
        except (TypeError, ValueError):
            return None
    # float() reads "inf", "nan" and "1e309": an endless wait would stop polling for good.
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def classify(
    status: int, headers: dict[str, str], text: str, route: str
) -> errors.UpstreamError | None:
    """Translate an HTTP answer into the error it means, or None when it is a success."""
    challenge = errors.CloudflareChallengeError(
        "Cloudflare challenged the request (temporarily blocked); retrying later"
    )
    if 200 <= status < 300:
        return challenge if _is_challenge(status, headers, text) else None
    detail = _error_detail(text)
    message = str(detail.get("message") or "").lower()
    code = str(detail.get("error_code") or "").lower()
    err_type = str(detail.get("type") or "").lower()
    # A 429 is a rate limit whoever sends it: Cloudflare's HTML "error 1015" page too.
    if status == 429 or err_type == "rate_limit_error":
        return errors.RateLimitedError(
            "Claude is rate-limiting usage reads; backing off",
            retry_after_seconds(headers.get("retry-after")),
        )
    if _is_challenge(status, headers, text):
        return challenge
    if "scope requirement" in message or "user:profile" in message:
        return errors.OAuthScopeError(
            "this OAuth token lacks the user:profile scope (a `claude setup-token` token); "
            f"log in to Claude Code normally, or use `{login_command()}` (web session)"
        )
    if "for organization" in message:
        return errors.WrongOrgError(
            "the stored organization does not match this session (stale org id or a VPN)"
        )
    if status == 401 or err_type == "authentication_error":
        if route == "oauth":
            return errors.OAuthTokenError(
                "Claude Code's login is no longer valid: open Claude Code to refresh it"
            )
        return errors.SessionExpiredError(
            f"claude.ai session expired: run `{login_command()}` again"
        )
    if status == 403 and (code == "account_session_invalid" or "invalid authorization" in message):
        if route == "oauth":
            return errors.OAuthTokenError(
                "Claude refused Claude Code's login: open Claude Code to refresh it"
            )
        return errors.SessionExpiredError(
            f"claude.ai session expired: run `{login_command()}` again"
        )
    if status == 403 and err_type == "permission_error":
        return errors.AuthError(
            "Claude refused access to usage for this account (an API-only organization?)"
        )
    if status >= 500:
        return errors.ServerError(f"Claude had a server error (HTTP {status}); retrying later")
    return errors.ServerError(f"Claude answered HTTP {status} unexpectedly; retrying later")


def _error_detail(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    error = data.get("error")
    if not isinstance(error, dict):
        return {}
    raw_details = error.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    return {
        "type": error.get("type"),
        "message": error.get("message"),
        "error_code": details.get("error_code"),
    }
