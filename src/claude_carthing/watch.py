"""`status --watch`: a live terminal view of the running server's data, or of Claude itself."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from claude_carthing.claude_code.sessions_text import render_sessions
from claude_carthing.i18n import pct, t, window_label
from claude_carthing.local_http import get_json
from claude_carthing.settings import Settings
from claude_carthing.terminal import extra_line, no_windows_line, state_line, window_lines

SPARK = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 24
SERVER_REFETCH_S = 10.0  # the server itself polls Claude every few minutes; this is loopback
HISTORY_REFETCH_S = 60.0


def sparkline(values: list[float], width: int = SPARK_POINTS) -> str:
    """Return the last `width` values as block characters on a 0-100 scale."""
    tail = values[-width:]
    return "".join(SPARK[min(len(SPARK) - 1, max(0, int(v / 100 * len(SPARK))))] for v in tail)


def render(doc: dict[str, Any], history: dict[str, list[float]], now_ms: int, origin: str,
           width: int = 120) -> Group:
    """Return the view: `status`'s own lines (one source of words), sparklines, where from."""
    sparks = {k: sparkline(v) for k, v in history.items() if v}
    parts: list[Any] = window_lines(doc, now_ms, width, sparks)
    parts += [*extra_line(doc), *no_windows_line(doc), *render_sessions(doc, now_ms)]
    parts.append(state_line(doc, now_ms, width))
    parts.append(Text(t("{origin} · Ctrl+C to quit", origin=origin), style="dim"))
    return Group(*parts)


def summary(doc: dict[str, Any], now_ms: int) -> str:
    """Return one line for a pipe: every window's percentage, then the state line."""
    windows = [f"{window_label(w.get('id'), w.get('label'))} "
               f"{pct(float(w.get('utilization') or 0), 1)}"
               for w in doc.get("windows") or [] if isinstance(w, dict)]
    extra = [line.plain for line in [*extra_line(doc), *no_windows_line(doc)]]
    return " · ".join([*windows, *extra, state_line(doc, now_ms).plain])


def change_key(doc: dict[str, Any]) -> str:
    """Return what a pipe reader cares about: numbers, resets, state and errors (not ages)."""
    meta = doc.get("meta") or {}
    windows = [(w.get("id"), w.get("utilization"), w.get("resets_at_ms"))
               for w in doc.get("windows") or [] if isinstance(w, dict)]
    return json.dumps([windows, doc.get("extra_usage"), doc.get("error"), meta.get("state"),
                       meta.get("last_error"), meta.get("poll_mode"), meta.get("fetched_at_ms")],
                      sort_keys=True, default=str)


class Feed(Protocol):
    """Where the view's data comes from."""

    origin: str

    def document(self) -> dict[str, Any]:
        """Return the latest `/usage` document."""
        ...

    def history(self) -> dict[str, list[float]]:
        """Return recent utilization per window id, oldest first."""
        ...

    def now_ms(self) -> int:
        """Return the data's notion of now (the server's clock)."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


def _get(url: str, timeout: float = 3.0) -> Any:
    return get_json(url, timeout)  # never through a proxy


class ServerFeed:
    """Reads the running server; the countdowns tick from the server's clock."""

    def __init__(self, base_url: str, clock: Callable[[], float] = time.monotonic,
                 account: str | None = None) -> None:
        self.base_url = base_url
        self.origin = t("from the server at {url}", url=base_url)
        if account:
            self.origin += " · " + t("account {name}", name=account)
        self._clock = clock
        self._query = {"account": account} if account else {}
        self._usage = "/usage" + (f"?{urllib.parse.urlencode(self._query)}" if account else "")
        self._doc: dict[str, Any] = _get(base_url + self._usage)
        self._doc_at = clock()
        self._history: dict[str, list[float]] = {}
        self._history_at = -1e18

    def document(self) -> dict[str, Any]:
        """Refetch `/usage` every few seconds; keep the last one if the server went away."""
        if self._clock() - self._doc_at >= SERVER_REFETCH_S:
            try:
                self._doc = _get(self.base_url + self._usage)
                self._doc_at = self._clock()
            except (OSError, ValueError):
                pass
        return self._doc

    def history(self) -> dict[str, list[float]]:
        """Refetch `/api/history` every minute."""
        if self._clock() - self._history_at >= HISTORY_REFETCH_S:
            self._history_at = self._clock()
            try:
                data = _get(self.base_url + "/api/history?" + urllib.parse.urlencode({"hours": 24,
                                                                             **self._query}))
                self._history = {k: [float(p[1]) for p in v]
                                 for k, v in (data.get("series") or {}).items()}
            except (OSError, ValueError, AttributeError, TypeError, IndexError):
                pass
        return self._history

    def now_ms(self) -> int:
        """Return the server's time at the last fetch, advanced by the time since."""
        server_ms = int((self._doc.get("meta") or {}).get("server_time_ms") or time.time() * 1000)
        return server_ms + int((self._clock() - self._doc_at) * 1000)

    def close(self) -> None:
        """Nothing to release."""


class PollerFeed:
    """No server runs: poll Claude ourselves through the same poller (same minimum interval)."""

    def __init__(self, settings: Settings, account: str | None = None) -> None:
        from claude_carthing import accounts
        from claude_carthing.account_scope import bound
        from claude_carthing.claude_code.activity import signature
        from claude_carthing.poller import Poller
        from claude_carthing.upstream import credentials
        from claude_carthing.upstream.sources import AccountSource, ClaudeSource

        chosen = accounts.find(account)
        self._poller = Poller(AccountSource(ClaudeSource(settings), chosen),
                              interval=settings.interval, max_interval=settings.max_interval,
                              activity=bound(chosen, signature),
                              fingerprint=bound(chosen, credentials.fingerprint))
        self.origin = t("reading Claude directly (no server is running)")
        if account:
            self.origin += " · " + t("account {name}", name=chosen.name)
        self._series: dict[str, list[tuple[int, float]]] = {}
        self._seen: float | None = None
        self._poller.start()

    def document(self) -> dict[str, Any]:
        """Return the poller's snapshot as a `/usage` document."""
        from claude_carthing.serving.payload import usage_document

        snap = self._poller.snapshot()
        if snap.last_success_at is not None and snap.last_success_at != self._seen:
            self._seen = snap.last_success_at
            at_ms = int(snap.last_success_at * 1000)
            for w in snap.usage.windows if snap.usage else ():
                self._series.setdefault(w.id, []).append((at_ms, float(w.utilization or 0)))
        # The same projection rule as the server's, over what this session has read.
        return usage_document(snap, self._poller.clock(), series=self._series)

    def history(self) -> dict[str, list[float]]:
        """Return what this session has read so far."""
        return {k: [p[1] for p in v] for k, v in self._series.items()}

    def now_ms(self) -> int:
        """Return the poller's clock."""
        return int(self._poller.clock() * 1000)

    def close(self) -> None:
        """Stop polling."""
        self._poller.stop()


def open_feed(settings: Settings, server_url: str, account: str | None = None) -> Feed:
    """Return a feed from the running server, or one that polls Claude when none answers."""
    try:
        return ServerFeed(server_url, account=account)
    except (OSError, ValueError):
        return PollerFeed(settings, account)


def run(settings: Settings, server_url: str, *, console: Console | None = None,
        tick_s: float = 1.0, max_ticks: int | None = None, account: str | None = None) -> int:
    """Show the live view until Ctrl+C (or `max_ticks` frames) of one account (the default
    without a name); return the exit code (0)."""
    console = console or Console()
    feed = open_feed(settings, server_url, account)
    if not console.is_terminal:
        return _run_piped(feed, console, tick_s, max_ticks)
    ticks = 0
    try:
        with Live(console=console, auto_refresh=False, transient=False) as live:
            while max_ticks is None or ticks < max_ticks:
                live.update(render(feed.document(), feed.history(), feed.now_ms(), feed.origin,
                                   console.width), refresh=True)
                ticks += 1
                if max_ticks is None or ticks < max_ticks:
                    time.sleep(tick_s)
    except KeyboardInterrupt:
        pass  # Ctrl+C is how the user leaves; not an error
    finally:
        feed.close()
    return 0


def _run_piped(feed: Feed, console: Console, tick_s: float, max_ticks: int | None) -> int:
    """Print a line at once, then one per change: a pipe gets no redrawn frames."""
    seen = ""
    ticks = 0
    try:
        while max_ticks is None or ticks < max_ticks:
            doc = feed.document()
            key = change_key(doc)
            if key != seen:
                seen = key
                stamp = time.strftime("%H:%M:%S")
                console.file.write(f"{stamp} {summary(doc, feed.now_ms())}\n")
                console.file.flush()
            ticks += 1
            if max_ticks is None or ticks < max_ticks:
                time.sleep(tick_s)
    except (KeyboardInterrupt, BrokenPipeError):
        pass  # Ctrl+C, or the reader went away (`| head`): not an error
    finally:
        feed.close()
    return 0
