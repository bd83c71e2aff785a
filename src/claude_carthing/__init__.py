"""Claude plan usage limits on a Spotify Car Thing, or any browser."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("claude-carthing")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
