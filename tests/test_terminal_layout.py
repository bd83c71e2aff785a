"""Issue 17.16, 17.17, 17.21: `status` and `status --watch` at 60, 80 and 120 columns, with the
same sentences (one source) and one wording for a reset time that has passed."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import time

import pytest
from rich.console import Console

from claude_carthing import watch
from claude_carthing.projection import RESET_DUE
from claude_carthing.terminal import render_usage
from tests.page import scenes
from tests.support.live_server import LiveServer

NOW = 1_800_000_000.0
NOW_MS = int(NOW * 1000)


def shown(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=False, color_system=None).print(renderable)
    return out.getvalue().splitlines()


def history(name: str) -> dict[str, list[float]]:
    return {k: [p[1] for p in v] for k, v in scenes.build(NOW)[name].series.items()}


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("name", ["live", "live-six", "idle", "live-no-history", "stale"])
@pytest.mark.parametrize("view", ["status", "watch"])
def test_every_window_fits_its_lines_without_cuts(width: int, name: str, view: str) -> None:
    doc = scenes.build(NOW)[name].doc
    assert doc is not None
    renderable = (render_usage(doc, width) if view == "status" else
                  watch.render(doc, history(name), NOW_MS, "from the server", width))
    lines = shown(renderable, width)
    assert all(len(line) <= width for line in lines)
    assert not any("…" in line for line in lines)
    for w in doc["windows"]:
        label = w["label"]
        row = next((line for line in lines if line.startswith(label + " ")), None)
        assert row is not None, f"{label!r} starts a line of its own:\n" + "\n".join(lines)
        assert f"{w['utilization']:.1f} %" in row
        assert "█" in row or "░" in row  # the bar is on the label's line, whole
    # Each sentence of the state line stays whole on one line.
    for part in ("updated", "next read in"):
        assert any(part in line and (" min" in line.split(part)[1][:12]) for line in lines), lines


@pytest.mark.parametrize("width", [60, 80])
def test_compact_layout_keeps_the_pace_on_one_short_line(width: int) -> None:
    doc = scenes.build(NOW)["live"].doc
    assert doc is not None
    lines = shown(render_usage(doc, width), width)
    windows = doc["windows"]
    assert len([line for line in lines if line.startswith("  resets ")]) == len(windows)
    paces = [line for line in lines if "100 % at " in line or "lasts until the reset" in line]
    assert len(paces) == len(windows)  # one line each, not three
    assert all(len(line) <= width for line in paces)


def test_wide_layout_is_one_line_per_window_at_120() -> None:
    doc = scenes.build(NOW)["live"].doc
    assert doc is not None
    lines = shown(render_usage(doc, 120), 120)
    for w in doc["windows"]:
        row = next(line for line in lines if line.startswith(w["label"] + " "))
        assert "resets " in row and w["projection"]["text"] in row


def test_watch_in_80x24_shows_everything_in_the_screen() -> None:
    doc = scenes.build(NOW)["live-six"].doc
    assert doc is not None
    lines = shown(watch.render(doc, history("live-six"), NOW_MS, "from the server", 80), 80)
    assert len(lines) <= 24
    assert any(line.startswith("Extra usage: US$12.50 of US$50.00") for line in lines)


def _watch_text(doc: dict, now_ms: int, origin: str = "from the server") -> str:
    return "\n".join(shown(watch.render(doc, {}, now_ms, origin, 120), 120))


def test_watch_says_what_status_says() -> None:
    for name in ("live", "idle", "stale"):
        doc = scenes.build(NOW)[name].doc
        assert doc is not None
        status = shown(render_usage(doc, 120, NOW_MS), 120)
        live = _watch_text(doc, NOW_MS)
        for line in status:
            assert line in live, f"{name}: status says {line!r}, watch does not"


def test_watch_gives_one_age_that_ticks() -> None:
    doc = scenes.build(NOW)["live"].doc  # numbers from 2 minutes ago
    assert doc is not None
    later = _watch_text(doc, NOW_MS + 3 * 60_000)
    assert "updated 5 min ago" in later
    assert "just now" not in later and " old" not in later


def test_watch_without_a_server_never_claims_to_poll_while_paused() -> None:
    doc = scenes.build(NOW)["not-configured"].doc
    assert doc is not None
    text = _watch_text(doc, NOW_MS, "reading Claude directly (no server is running)")
    assert "paused until the credentials change" in text
    assert "every 300 s" not in text and "polling" not in text


def test_a_passed_reset_reads_one_way_in_status_and_watch() -> None:
    doc = scenes.build(NOW)["live"].doc
    assert doc is not None
    after = NOW_MS + 3 * 3600_000  # the 5-hour window's reset (in 2h 14m) has passed
    for text in ("\n".join(shown(render_usage(doc, 120, after), 120)),
                 "\n".join(shown(render_usage(doc, 80, after), 80)),
                 _watch_text(doc, after)):
        row = next(line for line in text.splitlines() if RESET_DUE in line)
        assert "soon" not in text and "no reset time" not in text
        assert "resets 22" not in row and text.count(RESET_DUE) == 1


def test_piped_watch_prints_a_line_at_once_and_one_per_change(fake_upstream) -> None:
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        env = {**os.environ, "COLUMNS": "80"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "claude_carthing", "status", "--watch", "--port",
             str(server.port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env)
        lines: list[str] = []
        assert proc.stdout is not None
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
        reader.start()
        try:
            started = time.monotonic()
            while not lines and time.monotonic() - started < 8 and proc.poll() is None:
                time.sleep(0.05)
            took = time.monotonic() - started
            time.sleep(2)  # a few more ticks: nothing changes, so nothing more is printed
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            reader.join(timeout=5)
    assert lines, "nothing was printed within 8 s"
    assert took < 8
    first = lines[0]
    assert "5-hour" in first and " %" in first and "live" in first
    assert len(lines) == 1, lines


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


def test_watch_in_a_real_80x24_terminal(fake_upstream) -> None:
    ptyprocess = pytest.importorskip("ptyprocess")
    with LiveServer(upstream=fake_upstream, source="oauth") as server:
        child = ptyprocess.PtyProcessUnicode.spawn(
            [sys.executable, "-m", "claude_carthing", "status", "--watch", "--port",
             str(server.port)], dimensions=(24, 80), env={**os.environ, "TERM": "xterm"})
        seen = ""
        try:
            deadline = time.monotonic() + 15
            while "Ctrl+C to quit" not in seen and time.monotonic() < deadline:
                try:
                    seen += child.read(4096)
                except EOFError:
                    break
        finally:
            child.terminate(force=True)
    lines = [line for line in ANSI.sub("", seen).split("\n") if line.strip()]
    assert "Ctrl+C to quit" in seen
    assert all(len(line) <= 80 for line in lines)
    assert not any("…" in line for line in lines)
    for label in ("5-hour", "Weekly", "Weekly · Fable"):
        assert any(line.startswith(label + " ") and " %" in line for line in lines), lines
    assert any(line.startswith("Extra usage: US$408.43") for line in lines)
