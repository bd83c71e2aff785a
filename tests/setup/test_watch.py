"""status --watch: the live view against a real server, or polling Claude when none runs."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

from rich.console import Console
from tests.support import creds
from tests.support.fake_upstream import FakeUpstream
from tests.support.live_server import LiveServer, free_port

from claude_carthing import watch
from claude_carthing.settings import load_settings

HOUR_MS = 3600_000


def screen(terminal: bool = False) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=140, force_terminal=terminal, color_system=None), out


def text_of(renderable: object) -> str:
    console, out = screen()
    console.print(renderable)
    return out.getvalue()


def session_window(used: float, reset_ms: int) -> dict[str, object]:
    return {"id": "five_hour", "label": "5-hour", "group": "session", "utilization": used,
            "resets_at_ms": reset_ms, "severity": None}


def test_countdown_ticks_and_colours_follow_thresholds() -> None:
    now = 1_000 * HOUR_MS
    doc = {"windows": [session_window(85.0, now + 2 * HOUR_MS + 5 * 60_000)],
           "meta": {"state": "live", "fetched_at_ms": now - 90_000, "server_time_ms": now}}
    first = text_of(watch.render(doc, {"five_hour": [10, 50, 85]}, now, "test"))
    later = text_of(watch.render(doc, {}, now + 60_000, "test"))
    assert "2h 5m" in first and "2h 4m" in later
    assert "updated 1 min ago" in first and "updated 2 min ago" in later
    assert "▁▅▇" in first  # 10 %, 50 %, 85 % as a sparkline
    # No history in the document: the shared rule says so instead of "146 % at reset".
    assert "pace: not enough history yet" in first and "146" not in first


def test_watch_reads_the_running_server(fake_upstream: FakeUpstream) -> None:
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        console, out = screen(terminal=True)
        reads = len(fake_upstream.usage_requests())
        code = watch.run(load_settings(port=server.port), server.url, console=console,
                         tick_s=0.01, max_ticks=3)
        assert len(fake_upstream.usage_requests()) == reads  # the view never calls Claude
    text = out.getvalue()
    assert code == 0
    assert "5-hour" in text and "Weekly" in text
    assert f"from the server at {server.url}" in text
    assert "live" in text and "updated just now" in text


def test_watch_polls_claude_itself_when_no_server_runs(fake_upstream: FakeUpstream) -> None:
    creds.write_oauth()
    settings = load_settings(port=free_port(), api_url=fake_upstream.url,
                             web_url=fake_upstream.url)
    console, out = screen(terminal=True)
    code = watch.run(settings, f"http://127.0.0.1:{settings.port}", console=console,
                     tick_s=0.1, max_ticks=15)
    assert code == 0
    text = out.getvalue()
    assert "reading Claude directly (no server is running)" in text
    assert "next read in 5 min" in text
    assert "5-hour" in text
    # 1.5 s of watching is one read: the poller keeps the minimum interval.
    assert len(fake_upstream.usage_requests()) == 1


def test_ctrl_c_exits_cleanly(fake_upstream: FakeUpstream) -> None:
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        code = (
            "import sys; from claude_carthing import watch; "
            "from claude_carthing.settings import load_settings; "
            f"sys.exit(watch.run(load_settings(port={server.port}), '{server.url}', tick_s=0.1))"
        )
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=os.environ.copy())
        try:
            deadline = time.monotonic() + 20
            time.sleep(1.5)
            assert proc.poll() is None
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "5-hour" in out


def test_watch_without_credentials_says_it_once() -> None:
    reason = "Not logged in: run `claude-carthing login` on the PC"
    doc = {"windows": [], "error": reason,
           "meta": {"state": "not_configured", "last_error": reason, "server_time_ms": HOUR_MS}}
    shown = text_of(watch.render(doc, {}, HOUR_MS, "test")).replace("\n", " ")
    assert shown.count("claude-carthing login") == 1, shown
