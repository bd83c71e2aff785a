"""The page bundle shipped inside the package, as relative path -> bytes."""

from __future__ import annotations

from pathlib import Path

from claude_carthing.paths import page_dir


def page_files() -> dict[str, bytes]:
    """Return every file of `claude_carthing/page/` (index.html and its relative assets)."""
    root = page_dir()
    found: dict[str, bytes] = {}
    _walk(root, "", found)
    if "index.html" not in found:
        raise FileNotFoundError("the installed package has no page/index.html")
    return found


def _walk(folder: Path, prefix: str, found: dict[str, bytes]) -> None:
    for item in folder.iterdir():
        if item.name.startswith(".") or item.name == "__pycache__":
            continue
        if item.is_dir():
            _walk(item, f"{prefix}{item.name}/", found)
        else:
            found[f"{prefix}{item.name}"] = item.read_bytes()
