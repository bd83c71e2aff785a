"""The small exception tree every failure to read usage is translated into."""

from __future__ import annotations

# What a polling reader adds to a failure; a one-shot command tries once and says no such thing.
RETRY_WORDS = ("; retrying later", "; backing off")


class CarthingError(Exception):
    """Base of every error this program raises on purpose; `str()` is a sentence for users."""

    kind = "error"

    def once(self) -> str:
        """Return the sentence for a command that tried once (no promise to retry)."""
        text = str(self)
        for words in RETRY_WORDS:
            text = text.removesuffix(words)
        return text


class NotConfiguredError(CarthingError):
    """No credentials for any source."""

    kind = "not_configured"


class UpstreamError(CarthingError):
    """Reading usage from Claude failed."""

    kind = "upstream"


class AuthError(UpstreamError):
    """Credentials were refused; polling must pause until they change."""

    kind = "auth"


class SessionExpiredError(AuthError):
    """The claude.ai session key expired or was revoked."""


class WrongOrgError(AuthError):
    """The org id does not belong to this session (stale id, or a VPN exit node)."""


class OAuthTokenError(AuthError):
    """Claude Code's OAuth access token is expired or invalid."""

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(message)
        # False when we saw the expiry ourselves: nothing was refused, so don't pause.
        self.request_sent = request_sent


class OAuthScopeError(AuthError):
    """The OAuth token lacks the `user:profile` scope (a `claude setup-token` token)."""


class CloudflareChallengeError(UpstreamError):
    """Cloudflare challenged the request; the session is probably fine."""

    kind = "cloudflare"


class RateLimitedError(UpstreamError):
    """HTTP 429; `retry_after` is seconds when the server gave a positive value, else None."""

    kind = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NetworkError(UpstreamError):
    """Timeouts, DNS failures, refused or reset connections."""

    kind = "network"


class ServerError(UpstreamError):
    """Claude answered with a 5xx or another unexpected status."""

    kind = "server"


class SchemaError(UpstreamError):
    """A 200 whose body could not be read as usage."""

    kind = "schema"
