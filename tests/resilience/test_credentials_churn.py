"""Claude Code's credentials file rewritten while read, deleted, or garbage: no crash, a clear
state, and reads resume once the file is good again."""

from __future__ import annotations

import json
import threading
import time

import pytest

from claude_carthing.poller import Poller
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_upstream import FakeUpstream


def make_poller(upstream: FakeUpstream, clock: Clock) -> Poller:
    settings = load_settings(web_url=upstream.url, api_url=upstream.url, timeout=2.0)
    return Poller(ClaudeSource(settings), interval=300, clock=clock, monotonic=clock,
                  jitter=lambda: 0.5)


def credentials_file():
    return creds.claude_dir() / ".credentials.json"


GARBAGE = {
    "truncated-json": (b'{"claudeAiOauth": {"accessToken": "sk-ant-oat01-FAKE-canary',
                       "not valid JSON"),
    "not-json": (b"hello", "not valid JSON"),
    "json-null": (b"null", "no OAuth login"),
    "json-list": (b"[1, 2]", "no OAuth login"),
    "wrong-shape": (b'{"claudeAiOauth": 5}', "no OAuth login"),
    "token-not-text": (b'{"claudeAiOauth": {"accessToken": 12}}', "no OAuth login"),
    "empty": (b"", "Not logged in"),
    "whitespace": (b"  \n", "Not logged in"),
    "nul-bytes": (b"\x00" * 64, "not valid JSON"),
    "not-utf8": (b"\xff\xfe{\x00}", "not valid"),
}


@pytest.mark.parametrize(
    ("content", "words"),
    list(GARBAGE.values()),
    ids=list(GARBAGE),
)
def test_garbage_credentials_give_a_clear_state(fake_upstream, content, words, caplog):
    clock = Clock()
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    assert poller.poll_once().state == "live"
    credentials_file().write_bytes(content)
    clock.now += 300
    snap = poller.poll_once()
    assert snap.state == "stale"  # the last good numbers stay on screen, marked
    assert words in snap.last_error
    assert "unexpected" not in snap.last_error
    assert snap.error_kind in ("auth", "not_configured") and snap.paused
    assert "FAKE-canary" not in snap.last_error and "FAKE-canary" not in caplog.text
    assert len(fake_upstream.usage_requests()) == 1  # nothing sent with broken credentials


def test_deleted_credentials_pause_reads_until_the_login_comes_back(fake_upstream):
    clock = Clock()
    creds.write_oauth()
    poller = make_poller(fake_upstream, clock)
    poller.poll_once()
    credentials_file().unlink()
    clock.now += 300
    snap = poller.poll_once()
    assert snap.state == "stale" and snap.error_kind == "not_configured"
    assert "claude-carthing login" in snap.last_error
    for _ in range(20):  # the poller's loop checks every few seconds; nothing is due
        clock.now += 60
        assert not poller._due()
    assert len(fake_upstream.usage_requests()) == 1
    time.sleep(0.01)  # a distinct modification time for the new file
    creds.write_oauth(token="sk-ant-oat01-FAKE-canary-new-login-0002")
    assert poller._due()
    snap = poller.poll_once()
    assert snap.state == "live" and snap.last_error is None
    sent = fake_upstream.usage_requests()[-1].headers["authorization"]
    assert sent.endswith("new-login-0002")


def test_credentials_rewritten_while_being_read_never_crash_the_poller(fake_upstream, caplog):
    clock = Clock()
    path = creds.write_oauth()
    good = [path.read_bytes(), creds.write_oauth(
        token="sk-ant-oat01-FAKE-canary-second-0003").read_bytes()]
    stop = threading.Event()

    def rewrite() -> None:  # a naive writer: truncate, then write in two pieces
        n = 0
        while not stop.is_set():
            data = good[n % 2]
            with path.open("wb") as handle:
                handle.write(data[: len(data) // 2])
                handle.flush()
                handle.write(data[len(data) // 2:])
            n += 1

    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    poller = make_poller(fake_upstream, clock)
    states = []
    try:
        for _ in range(150):
            clock.now += 300
            snap = poller.poll_once()
            states.append(snap.state)
            if snap.last_error is not None:
                assert snap.error_kind in ("auth", "not_configured"), snap.last_error
                assert "unexpected" not in snap.last_error
    finally:
        stop.set()
        writer.join(5)
    # Which states the reads saw depends on thread timing; that none crashed does not.
    assert len(states) == 150 and set(states) <= {"live", "stale", "not_configured", "error"}
    assert "Traceback" not in caplog.text
    path.write_bytes(good[0])
    clock.now += 300
    assert poller.poll_once().state == "live"
    for request in fake_upstream.usage_requests():
        token = request.headers["authorization"].removeprefix("Bearer ")
        assert token in (json.loads(g)["claudeAiOauth"]["accessToken"] for g in good)
