"""Claude plan usage limits on a Spotify Car Thing, or any browser."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Looked up on first use: importlib.metadata costs Claude Code's hot commands (`statusline`,
    # `hook`) a good share of their start-up, and they never need the version.
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("claude-carthing")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        found = "0.0.0"
    globals()["__version__"] = found
    return found
