"""What the tray icon shows: the worst window's number and colour, and a tooltip of them all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claude_carthing import i18n
from claude_carthing.alerts.events import SEVERITY_RANK, worst_window
from claude_carthing.i18n import t
from claude_carthing.terminal import countdown, reset_due

if TYPE_CHECKING:
    from PIL.Image import Image

    from claude_carthing.poller import Snapshot

SIZE = 64
# The page's palette (style.css, dark theme), so the icon and the dashboard agree.
COLOURS = {"green": "#22c55e", "yellow": "#eab308", "red": "#ef4444", "grey": "#6b6b72"}
TEXT = {"green": "#0b0b0c", "yellow": "#0b0b0c", "red": "#ffffff", "grey": "#ffffff"}
TOOLTIP_MAX = 127  # Windows cuts tray tooltips at 127 characters


def level(percent: float, severity: str | None) -> str:
    """Return green below 50 %, yellow below 80 %, red from 80 % (or Anthropic's severity)."""
    rank = SEVERITY_RANK.get(severity or "", 0)
    if rank >= 2 or percent >= 80:
        return "red"
    if rank == 1 or percent >= 50:
        return "yellow"
    return "green"


def face(snap: Snapshot) -> tuple[str, str]:
    """Return the icon's (text, colour name): grey when there is no data or it is stale."""
    worst = worst_window(snap)
    if worst is None:
        return "–", "grey"
    text = str(min(int(worst.utilization + 0.5), 999))
    return text, "grey" if snap.stale else level(worst.utilization, worst.severity)


def draw(text: str, colour: str, size: int = SIZE) -> Image:
    """Return the icon: a rounded square in the colour, the number centred on it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=COLOURS[colour])
    font = ImageFont.load_default(size=int(size * (0.62 if len(text) < 3 else 0.46)))
    pen.text((size / 2, size / 2), text, fill=TEXT[colour], font=font, anchor="mm")
    return image


def tooltip(snap: Snapshot, now: float, sessions: list[dict[str, Any]] | None = None) -> str:
    """Return every window with its percentage and time to reset, within Windows' limit;
    Claude Code's sessions first when one waits for you, last otherwise."""
    title = t("Claude usage")
    if snap.source == "demo":
        title = t("{title} (demo)", title=title)
    if snap.stale:
        title = t("{title} (stale)", title=title)
    lines = [title]
    if snap.usage is None:
        lines.append(snap.last_error or t("waiting for the first reading"))
    else:
        for w in snap.usage.windows:
            reset = countdown(int(w.resets_at.timestamp() * 1000) if w.resets_at else None,
                              int(now * 1000))
            if reset == reset_due():
                reset = t("reset due")  # the start of the one wording; the tooltip is short
            label = i18n.window_label(w.id, w.label)
            lines.append(f"{label} {i18n.pct(w.utilization)} · {reset}")
    return with_sessions(lines, now, sessions)


def with_sessions(lines: list[str], now: float, sessions: list[dict[str, Any]] | None) -> str:
    """Return the tooltip of the usage `lines` and Claude Code's sessions (those waiting for
    you first, the others last), cut to Windows' limit."""
    from claude_carthing.claude_code.sessions_text import session_line

    live = [s for s in sessions or [] if s.get("state") != "ended"]
    said = [session_line(s, int(now * 1000)) for s in live]
    waiting = [session_line(s, int(now * 1000)) for s in live if s.get("state") == "waiting"]
    text = "\n".join([*waiting, *lines, *(line for line in said if line not in waiting)])
    return text if len(text) <= TOOLTIP_MAX else text[:TOOLTIP_MAX - 1] + "…"
