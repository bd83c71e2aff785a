"""Where the page's files live in the checkout (what `serve` and deploy ship)."""

from __future__ import annotations

from pathlib import Path

PAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "claude_carthing" / "page"
