"""`status` with several accounts: one compact block per account (name, 5-hour, weekly, the
fullest per-model window, and its state)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from claude_carthing import i18n
from claude_carthing.i18n import t
from claude_carthing.terminal import colour, reset_due, reset_words, state_line

MAIN = (("five_hour", "5-hour"), ("seven_day", "Weekly"))


def worst_model(windows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the fullest per-model weekly window (Sonnet, Opus, ...), None without one."""
    models = [w for w in windows if w.get("group") == "weekly" and w.get("model")]
    return max(models, key=lambda w: float(w.get("utilization") or 0)) if models else None


def _cell(label: str, window: dict[str, Any] | None, now_ms: int, offset: int) -> Text:
    if window is None:
        return Text(f"{label} –", style="dim")
    percent = float(window.get("utilization") or 0)
    style = "bold " + colour(percent, window.get("severity"))
    cell = Text(f"{label} ") + Text(i18n.pct(percent), style=style)
    words, left = reset_words(window.get("resets_at_ms"), now_ms, offset)
    short = t("in {left}", left=left) if left else (t("reset due") if words == reset_due() else "")
    return cell + Text(f" ({short})", style="dim") if short else cell


def account_block(entry: dict[str, Any], width: int) -> list[Text]:
    """Return the lines of one account of `/api/accounts`."""
    meta = entry.get("meta") or {}
    now = int(meta.get("server_time_ms") or 0)
    offset = int(meta.get("utc_offset_minutes") or 0)
    windows = [w for w in entry.get("windows") or [] if isinstance(w, dict)]
    by_id = {w.get("id"): w for w in windows}
    cells = [_cell(i18n.window_label(wid, label), by_id.get(wid), now, offset)
             for wid, label in MAIN]
    model = worst_model(windows)
    if model is not None:
        cells.append(_cell(str(model.get("model")), model, now, offset))
    name = Text(str(entry.get("name")), style="bold")
    if entry.get("default"):
        # i18n: after the name of the default account (the one with today's files)
        name += Text(" ") + Text(t("(default)"), style="dim")
    lines = [name]
    if windows:
        lines.append(Text("  ") + Text(" · ", style="dim").join(cells))
    doc = {**entry, "meta": meta}
    state = state_line(doc, None, max(20, width - 2))
    lines.append(Text("  ") + state)
    return lines


def render_accounts(doc: dict[str, Any], width: int = 120) -> Group:
    """Return the compact view of every account of an `/api/accounts` document."""
    lines: list[Text] = []
    for entry in doc.get("accounts") or []:
        if isinstance(entry, dict):
            lines += account_block(entry, width)
    return Group(*lines)
