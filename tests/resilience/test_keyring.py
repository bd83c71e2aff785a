"""The OS keyring in its moods: locked or missing at start (autostart before the desktop login
unlocks it), and refusing a rotated key. A real keyring backend class stands in for the OS."""

from __future__ import annotations

import json
from collections.abc import Iterator

import keyring.core
import pytest
from keyring.backends import fail

from claude_carthing import paths
from claude_carthing.poller import Poller
from claude_carthing.settings import load_settings
from claude_carthing.upstream import cookie_store, credentials
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_upstream import ORG_ID, FakeUpstream
from tests.support.flaky_keyring import FlakyKeyring

OLD_KEY = "sk-ant-sid01-FAKE-canary-old-key-0001"
NEW_KEY = "sk-ant-sid01-FAKE-canary-rotated-0002"


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FlakyKeyring]]:
    FlakyKeyring.reset()
    monkeypatch.setattr(keyring.core, "_keyring_backend", FlakyKeyring())
    yield FlakyKeyring
    FlakyKeyring.reset()


def make_poller(upstream: FakeUpstream, clock: Clock) -> Poller:
    settings = load_settings(web_url=upstream.url, api_url=upstream.url, timeout=2.0,
                             source="web")
    return Poller(ClaudeSource(settings), interval=300, clock=clock, monotonic=clock,
                  jitter=lambda: 0.5)


def test_a_keyring_locked_at_start_is_retried_and_recovers_by_itself(fake_upstream, ring):
    creds.write_web(org_id=ORG_ID)  # `login` stored the key in the keyring
    assert credentials.read_web().where == "keyring"
    ring.locked = True  # the server autostarts before the desktop login unlocks the keyring
    clock = Clock()
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert snap.state == "error" and not snap.paused  # not "not logged in" for good
    assert "keyring" in snap.last_error and fake_upstream.usage_requests() == []
    ring.locked = False  # the user logs in to the desktop; no file changes anywhere
    clock.now = snap.next_poll_at
    assert poller._due()  # the loop's own decision: nobody has to restart anything
    assert poller.poll_once().state == "live"


def test_a_keyring_not_found_at_start_is_looked_for_again(fake_upstream, ring, monkeypatch):
    creds.write_web(org_id=ORG_ID)
    # At autostart the keyring service was not up yet: detection settled on "no keyring".
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.flaky_keyring.FlakyKeyring")
    clock = Clock()
    poller = make_poller(fake_upstream, clock)
    snap = poller.poll_once()
    assert snap.state == "live" and snap.source == "web"


def test_a_rotated_key_the_keyring_refuses_does_not_lose_to_the_stale_one(fake_upstream, ring):
    creds.write_web(OLD_KEY, org_id=ORG_ID)
    ring.refuse_writes = True  # e.g. a keyring that turned read-only
    fake_upstream.set_cookie = NEW_KEY  # claude.ai rotates the session key
    clock = Clock()
    make_poller(fake_upstream, clock).poll_once()
    found = credentials.read_web()
    assert found.session_key == NEW_KEY  # the stale keyring key does not win
    assert found.where == "file" and paths.secrets_file().exists()


def test_a_login_the_keyring_refuses_does_not_lose_to_the_stale_one(ring):
    creds.write_web(OLD_KEY, org_id=ORG_ID)
    ring.refuse_writes = True
    assert credentials.store_web(NEW_KEY, {"org_id": ORG_ID}) == "file"
    assert credentials.read_web().session_key == NEW_KEY
    ring.refuse_writes = False  # the keyring works again: a later login moves the key back
    assert credentials.store_web(OLD_KEY, {"org_id": ORG_ID}) == "keyring"
    assert credentials.read_web().session_key == OLD_KEY and not paths.secrets_file().exists()


def test_a_locked_keyring_does_not_stop_the_claude_code_login(fake_upstream, ring):
    creds.write_web(org_id=ORG_ID)
    creds.write_oauth()
    ring.locked = True
    settings = load_settings(web_url=fake_upstream.url, api_url=fake_upstream.url, timeout=2.0)
    clock = Clock()
    poller = Poller(ClaudeSource(settings), interval=300, clock=clock, monotonic=clock)
    snap = poller.poll_once()
    assert snap.state == "live" and snap.source == "oauth"


def test_a_broken_keyring_with_no_login_at_all_says_not_logged_in(fake_upstream, ring):
    ring.locked = True  # a keyring that always fails, on a PC where `login` never ran
    assert credentials.read_web() is None  # "not logged in", not "the keyring is locked"


def test_a_key_stored_before_the_account_said_where_is_still_looked_for_again(
        fake_upstream, ring, monkeypatch):
    # An account file from before `stored_in` existed: the key went to the keyring.
    credentials.store_web(OLD_KEY, {"org_id": ORG_ID})
    account = credentials.read_account()
    del account["stored_in"]
    paths.account_file().write_text(json.dumps(account), encoding="utf-8")
    # At autostart no keyring answered yet: detection settled on "no keyring".
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.flaky_keyring.FlakyKeyring")
    snap = make_poller(fake_upstream, Clock()).poll_once()
    assert snap.state == "live" and snap.source == "web"  # not "not logged in" for good


def test_a_failed_login_leaves_a_locked_keyring_meaning_not_logged_in(ring):
    cookie_store.device_id()  # a login attempt that never reached claude.ai still made one
    ring.locked = True
    assert credentials.read_web() is None  # "not logged in", not "the keyring is locked"


def test_a_key_from_the_environment_once_is_not_awaited_from_a_keyring(
        fake_upstream, ring, monkeypatch):
    monkeypatch.setenv(credentials.SESSION_KEY_ENV, OLD_KEY)
    assert make_poller(fake_upstream, Clock()).poll_once().state == "live"  # org facts kept
    monkeypatch.delenv(credentials.SESSION_KEY_ENV)
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())  # a PC without one
    assert credentials.read_web() is None  # "not logged in", not "the keyring is locked"
