"""Where a reading comes from: Claude Code itself (route C), Claude through route O or W (with
fall-over), or demo data."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from claude_carthing import errors, plans
from claude_carthing.account_scope import Account, current, using
from claude_carthing.claude_code.get_usage import ClaudeCodeReader
from claude_carthing.models import Plan, Usage
from claude_carthing.settings import Settings
from claude_carthing.upstream import cookie_store, credentials
from claude_carthing.upstream.client import UsageClient, WebExtras
from claude_carthing.upstream.credentials import CredentialsError

log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Not logged in: run `claude-carthing login` on the PC (or log in to Claude Code there)"
)


def not_configured() -> str:
    """Say how to log the current account in."""
    account = current()
    if account.is_default:
        return NOT_CONFIGURED
    if account.config_dir is not None:
        return (f"Not logged in: run `claude-carthing login --account {account.name}`, or log "
                f"in to Claude Code with CLAUDE_CONFIG_DIR={account.config_dir}")
    return f"Not logged in: run `claude-carthing login --account {account.name}` on the PC"


@dataclass(frozen=True)
class Reading:
    """One successful read, with the route it came through."""

    usage: Usage
    source: str  # "claude-code", "oauth", "web" or "demo"
    plan: Plan | None = None


class UsageSource(Protocol):
    """Anything the poller can read usage from."""

    name: str

    def read(self) -> Reading:
        """Return a reading or raise an `errors.CarthingError`."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class AccountSource:
    """A source read for one account: every read, file and child of it belongs to that account."""

    def __init__(self, source: UsageSource, account: Account) -> None:
        self.name = source.name
        self.source = source
        self.account = account

    def read(self) -> Reading:
        """Read for this account."""
        with using(self.account):
            return self.source.read()

    def close(self) -> None:
        """Release the source."""
        self.source.close()

    def interrupt(self) -> None:
        """Stop a Claude Code child of this account's that is running now."""
        stop = getattr(self.source, "interrupt", None)
        if stop is not None:
            stop()


CLAUDE_CODE_RETRY_S = 3600.0  # after route C failed under `auto`, ask it again this late


class ClaudeSource:
    """Reads Claude through Claude Code itself, its OAuth login and/or a claude.ai session key."""

    name = "claude"

    def __init__(self, settings: Settings, client: UsageClient | None = None,
                 claude_code: ClaudeCodeReader | None = None) -> None:
        self._settings = settings
        self._client = client or UsageClient(settings)
        self._claude_code = claude_code or ClaudeCodeReader(settings.claude_path)
        self._refused_token: str | None = None  # an OAuth token Claude refused; skip it
        self._code_retry_at = float("-inf")  # monotonic; route C is skipped until then
        self._code_print = ""  # credentials fingerprint when route C failed
        self.claude_code_problem: str | None = None  # why route C did not serve, in words

    def close(self) -> None:
        """Stop a running Claude Code child and release the HTTP client."""
        self._claude_code.interrupt()
        self._client.close()

    def interrupt(self) -> None:
        """Stop a Claude Code child that is running now (safe from another thread)."""
        self._claude_code.interrupt()

    # --- route C -------------------------------------------------------------------------------

    def _read_claude_code(self) -> Reading:
        usage, plan = self._claude_code.read()
        self.claude_code_problem = None
        return Reading(usage, "claude-code", plan)

    def _claude_code_due(self) -> bool:
        if time.monotonic() >= self._code_retry_at:
            return True
        return credentials.fingerprint() != self._code_print  # a new login: try it again now

    def _claude_code_failed(self, exc: errors.CarthingError) -> None:
        self.claude_code_problem = str(exc)
        log.debug("Claude Code did not serve the usage: %s", exc)
        if getattr(exc, "request_sent", True):  # it ran and failed: spare it for a while
            self._code_retry_at = time.monotonic() + CLAUDE_CODE_RETRY_S
            self._code_print = credentials.fingerprint()

    def _wanted(self) -> str:
        account = current()
        if account.is_default or account.config_dir is not None:
            return self._settings.source
        # An account without a Claude Code folder of its own is a claude.ai session: Claude
        # Code's own login here belongs to another account.
        return "web"

    def read(self) -> Reading:
        """Read usage through the first route that works (route C first under `auto`)."""
        wanted = self._wanted()
        if wanted == "claude-code":
            return self._read_claude_code()
        code_problem: errors.CarthingError | None = None
        if wanted == "auto" and self._claude_code_due():
            try:
                return self._read_claude_code()
            except errors.CarthingError as exc:
                self._claude_code_failed(exc)
                code_problem = exc
        try:
            return self._read_http()
        except errors.NotConfiguredError:
            # Claude Code is installed but could not answer, and nothing else is set up: say why.
            if code_problem is not None and getattr(code_problem, "request_sent", True):
                raise code_problem from None
            raise

    def _candidates(self) -> list[tuple[str, object]]:
        wanted = self._wanted()
        oauth = web = None
        oauth_problem: CredentialsError | None = None
        if wanted in ("auto", "oauth"):
            try:
                oauth = credentials.read_oauth()
            except CredentialsError as exc:
                oauth_problem = exc
        web_problem: CredentialsError | None = None
        if wanted in ("auto", "web"):
            try:
                web = credentials.read_web()
            except CredentialsError as exc:  # e.g. a locked keyring: the other route may work
                web_problem = exc
        found: list[tuple[str, object]] = []
        usable = oauth is not None and not oauth.expired()
        if oauth is not None and oauth.access_token == self._refused_token and web is not None:
            usable = False  # refused before: don't spend a request on it until it changes
        if oauth is not None and usable:
            found.append(("oauth", oauth))
        if web is not None:
            found.append(("web", web))
        if oauth is not None and not usable:
            found.append(("oauth", oauth))  # last: only to say why when nothing else works
        problem = oauth_problem or web_problem
        if not found and problem is not None:
            raise problem
        if oauth is not None and not usable and web_problem is not None:
            raise web_problem  # the keyring's state says more than an expired token's
        return found

    def _read_http(self) -> Reading:
        """Read usage through route O or W, falling over on auth failures."""
        candidates = self._candidates()
        if not candidates:
            raise errors.NotConfiguredError(not_configured())
        first_auth: errors.AuthError | None = None
        for route, creds in candidates:
            try:
                if isinstance(creds, credentials.OAuthCredentials):
                    return self._read_oauth(creds)
                if isinstance(creds, credentials.WebCredentials):
                    return self._read_web(creds)
            except errors.AuthError as exc:
                log.debug("route %s refused: %s", route, exc)
                if isinstance(creds, credentials.OAuthCredentials):
                    self._refused_token = creds.access_token
                first_auth = first_auth or exc
        raise first_auth or errors.NotConfiguredError(not_configured())

    def _read_oauth(self, creds: credentials.OAuthCredentials) -> Reading:
        usage = self._client.fetch_oauth(creds)
        name = plans.plan_name(creds.rate_limit_tier, creds.subscription_type)
        return Reading(usage, "oauth", Plan(name, creds.rate_limit_tier))

    def _read_web(self, creds: credentials.WebCredentials) -> Reading:
        extra = WebExtras(cookie_store.read_cloudflare(), cookie_store.device_id())
        result = self._client.fetch_web(creds, extra)
        if result.new_session_key and creds.where != "environment":
            credentials.replace_session_key(result.new_session_key, creds.where)
        if result.new_cookies:
            cookie_store.update_cloudflare(result.new_cookies)
        account = credentials.read_account()
        if result.org is not None and result.org.uuid != account.get("org_id"):
            facts = {"org_id": result.org.uuid, "org_name": result.org.name,
                     "plan": result.org.plan, "rate_limit_tier": result.org.rate_limit_tier}
            if creds.where == "environment" and "stored_in" not in account:
                facts["stored_in"] = "environment"  # no stored key to wait for once it is unset
            credentials.update_account(facts, signal=False)
            account = credentials.read_account()
        plan_name = account.get("plan")
        tier = account.get("rate_limit_tier")
        tier = tier if isinstance(tier, str) else None
        # The tier names the plan as it is called today (a stored "Max" may be today's Ultra).
        plan = Plan(plans.from_tier(tier) or (plan_name if isinstance(plan_name, str) else None),
                    tier)
        return Reading(result.usage, "web", plan)
