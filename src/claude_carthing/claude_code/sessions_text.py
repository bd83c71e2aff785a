"""Claude Code's sessions in words: one line each, for `status`, `--watch` and the tray."""

from __future__ import annotations

from typing import Any

from claude_carthing.i18n import pct, t


def _for(since_ms: Any, now_ms: int) -> str:
    if not isinstance(since_ms, (int, float)) or now_ms <= since_ms:
        return ""
    seconds = int((now_ms - since_ms) // 1000)
    if seconds < 60:
        return t("{s} s", s=seconds)
    if seconds < 3600:
        return t("{m} min", m=seconds // 60)
    return t("{h} h {m} min", h=seconds // 3600, m=str(seconds % 3600 // 60).zfill(2))


def _state(name: str, state: Any, since: str) -> str:
    if state == "working":
        return t("{name}: working for {since}", name=name, since=since) if since else t(
            "{name}: working", name=name)
    if state == "idle":
        return t("{name}: idle for {since}", name=name, since=since) if since else t(
            "{name}: idle", name=name)
    if state == "ended":
        return t("{name}: ended for {since}", name=name, since=since) if since else t(
            "{name}: ended", name=name)
    return f"{name}: {state}" + (f" ({since})" if since else "")


def session_line(session: dict[str, Any], now_ms: int) -> str:
    """Return one session in words: `my-project is waiting for your permission (2 min)`."""
    name = session.get("project") or t("a Claude Code session")
    since = _for(session.get("since_ms"), now_ms)
    state = session.get("state")
    if state == "waiting":
        what = str(session.get("waiting_for"))
        if what == "permission":
            text = t("{name} is waiting for your permission", name=name)
        elif what == "input":
            text = t("{name} is waiting for your input", name=name)
        else:
            text = t("{name} is waiting for you", name=name)
        text += f" ({since})" if since else ""
    else:
        text = _state(name, state, since)
    details = [str(session["model"])] if session.get("model") else []
    if isinstance(session.get("context_pct"), (int, float)):
        details.append(t("context {percent}", percent=pct(session["context_pct"])))
    if session.get("last_failure"):
        details.append(t("last failure: {failure}", failure=session["last_failure"]))
    return text + (" · " + " · ".join(details) if details and state != "ended" else "")


def session_lines(doc: dict[str, Any], now_ms: int | None = None) -> list[str]:
    """Return a line per session of a `/usage` document (none when there are none)."""
    sessions = doc.get("sessions")
    if not isinstance(sessions, list):
        return []
    if now_ms is None:
        now_ms = int((doc.get("meta") or {}).get("server_time_ms") or 0)
    return [session_line(s, now_ms) for s in sessions if isinstance(s, dict)]


def render_sessions(doc: dict[str, Any], now_ms: int | None = None) -> list[Any]:
    """Return rich Text lines for the terminal: a heading, waiting ones in bold yellow."""
    from rich.text import Text

    lines = session_lines(doc, now_ms)
    if not lines:
        return []
    shown: list[Any] = [Text(t("Claude Code sessions"), style="bold")]
    for session, line in zip(doc["sessions"], lines, strict=False):
        waiting = isinstance(session, dict) and session.get("state") == "waiting"
        shown.append(Text(line, style="bold yellow" if waiting else ""))
    return shown
