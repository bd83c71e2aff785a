"""Route C: usage through a real executable fake `claude` speaking the stream-json protocol."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from claude_carthing.children import kill_command, popen_options
from claude_carthing.claude_code import get_usage as claude_code
from claude_carthing.claude_code.get_usage import ClaudeCodeReader
from claude_carthing.claude_code.locate import candidates, find_claude
from claude_carthing.poller import Poller
from claude_carthing.settings import load_settings
from claude_carthing.upstream.sources import ClaudeSource
from tests.support import creds
from tests.support.clock import Clock
from tests.support.fake_claude import FakeClaude, alive

CANARY_TOKEN = "sk-ant-oat01-FAKE-canary-inherited-token-0000"


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeClaude:
    """The fake `claude` installed in a bin folder on PATH (and found through PATH)."""
    bin_dir = tmp_path / "bin"
    installed = FakeClaude(bin_dir).install()
    monkeypatch.delenv("CLAUDE_CARTHING_CLAUDE_PATH")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return installed


def source(upstream_url: str | None = None, *, kind: str = "claude-code",
           timeout: float = 10.0) -> ClaudeSource:
    url = upstream_url or os.environ["CLAUDE_CARTHING_API_URL"]
    settings = load_settings(source=kind, web_url=url, api_url=url, timeout=1.0)
    return ClaudeSource(settings, claude_code=ClaudeCodeReader(settings.claude_path, timeout))


def test_reads_usage_and_model_scoped_limits_from_claude_code(fake):
    reading = source().read()
    assert reading.source == "claude-code"
    assert reading.plan is not None and reading.plan.name == "Max"
    usage = reading.usage
    assert usage.window("five_hour").utilization == 23.0
    assert usage.window("seven_day").utilization == 41.0
    fable = usage.window("seven_day_fable")
    assert fable is not None and fable.utilization == 12.0 and fable.model == "Fable"
    assert usage.window("seven_day_opus").utilization == 7.5
    assert "model_scoped" not in usage.unknown_keys
    (call,) = fake.calls()
    assert call["argv"] == list(claude_code.ARGS)
    assert '"subtype": "get_usage"' in call["stdin"]


def test_the_child_gets_a_clean_environment(fake, monkeypatch):
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", CANARY_TOKEN)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-FAKE-canary-0000")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "FAKE-canary-auth")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CLAUDE_CARTHING_SESSION_KEY", "sk-ant-sid01-FAKE-canary-session-0000")
    monkeypatch.setenv("KEEP_ME", "yes")
    reading = source().read()  # the fake, like Claude Code, hides limits from an inherited token
    assert reading.usage.window("five_hour") is not None
    env = fake.calls()[0]["env"]
    assert "CLAUDE_CODE_OAUTH_TOKEN" not in env and "CLAUDE_CARTHING_SESSION_KEY" not in env
    assert not [k for k in env if k.startswith("ANTHROPIC_")]
    assert env["KEEP_ME"] == "yes" and "PATH" in env


def test_the_child_runs_outside_any_project(fake, monkeypatch, tmp_path):
    from claude_carthing import paths

    project = tmp_path / "some-project"
    project.mkdir()
    monkeypatch.chdir(project)  # a folder whose .claude/ settings or hooks must not apply
    paths.ensure_home()
    source().read()
    assert fake.calls()[0]["cwd"] == str(paths.home_dir())


def test_other_lines_and_other_request_ids_are_ignored(fake):
    fake.play("chatty")
    assert source().read().usage.window("five_hour").utilization == 23.0


STATES = [
    ("setup_token", "setup_token", "cannot report usage limits", "auth"),
    ("logged_out", "logged_out", "not logged in on this PC: run `claude`", "auth"),
    ("garbage", "usage", "lines that are not JSON", "claude_code"),
    ("crash", "usage", "exited with code 3 without answering", "claude_code"),
    ("error", "usage", "refused the usage request", "claude_code"),
    ("hang", "usage", "did not answer within 2 s", "claude_code"),
]


@pytest.mark.parametrize(("mode", "answer", "words", "kind"), STATES)
def test_every_failure_is_a_state_in_words(fake, caplog, mode, answer, words, kind):
    fake.play(mode, answer)
    # A short deadline only where the hang is the point: a slow CI machine must not turn a
    # crash into a timeout.
    poller = Poller(source(timeout=2.0 if mode == "hang" else 30.0), interval=300, clock=Clock())
    snap = poller.poll_once()
    assert snap.state == "error" and snap.error_kind == kind
    assert words in snap.last_error
    assert "Traceback" not in caplog.text
    assert "FAKE-canary" not in snap.last_error + caplog.text  # nothing it echoed leaks
    for call in fake.calls():
        assert not alive(call["pid"])  # reaped, whatever happened


def test_a_missing_claude_is_a_state_in_words(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_CLAUDE_PATH", str(tmp_path / "nowhere" / "claude"))
    snap = Poller(source(), interval=300, clock=Clock()).poll_once()
    assert snap.state == "error" and "Claude Code was not found" in snap.last_error
    assert not snap.paused  # installing it later must be noticed


def test_auto_prefers_claude_code_and_sends_nothing_upstream(fake, fake_upstream):
    creds.write_oauth()
    reading = source(fake_upstream.url, kind="auto").read()
    assert reading.source == "claude-code"
    assert fake_upstream.requests == []


@pytest.mark.parametrize("mode", ["setup_token", "logged_out", "crash", "garbage", "hang"])
def test_auto_falls_over_to_oauth_when_claude_code_fails(fake, fake_upstream, mode):
    fake.play(mode, mode if mode in ("setup_token", "logged_out") else "usage")
    creds.write_oauth()
    src = source(fake_upstream.url, kind="auto", timeout=2.0 if mode == "hang" else 30.0)
    reading = src.read()
    assert reading.source == "oauth"
    assert src.claude_code_problem
    # A failing Claude Code is not started again at every poll.
    assert src.read().source == "oauth"
    assert len(fake.calls()) == 1


def test_auto_with_only_a_failing_claude_code_says_why(fake):
    fake.play("logged_out", "logged_out")
    snap = Poller(source(kind="auto"), interval=300, clock=Clock()).poll_once()
    assert "not logged in on this PC" in snap.last_error


def test_stopping_mid_read_kills_and_reaps_the_whole_child_tree(fake):
    fake.play("wrapper_hang")
    src = source(timeout=60.0)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            src.read()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=read)
    started = time.monotonic()
    thread.start()
    (call,) = fake.wait_for_calls(1)
    src.close()  # what the server does when it stops
    thread.join(15)
    assert not thread.is_alive() and time.monotonic() - started < 15
    assert "stopped" in str(outcome[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (alive(call["pid"]) or alive(call["grandchild"])):
        time.sleep(0.05)
    assert not alive(call["pid"]) and not alive(call["grandchild"])


def test_a_hung_wrapper_is_killed_with_its_whole_tree_at_the_deadline(fake, monkeypatch):
    monkeypatch.setattr(claude_code, "EXIT_GRACE_S", 0.5)
    fake.play("wrapper_hang")  # a launcher script whose `node` child hangs too
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            source(timeout=2.0).read()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    (call,) = fake.wait_for_calls(1)
    thread.join(20)
    finished = not thread.is_alive()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (alive(call["pid"]) or alive(call["grandchild"])):
        time.sleep(0.05)
    orphan = alive(call["grandchild"])
    if orphan:  # left behind: end it here, or it holds the output pipe (and this run) open
        os.kill(call["grandchild"], 9)
    assert finished and not orphan and not alive(call["pid"])
    assert "did not answer within 2 s" in str(outcome[0])


def test_a_child_that_does_not_exit_after_answering_is_killed(fake, monkeypatch):
    monkeypatch.setattr(claude_code, "EXIT_GRACE_S", 0.5)
    fake.play("no_exit")
    started = time.monotonic()
    assert source().read().source == "claude-code"
    assert time.monotonic() - started < 10
    assert not alive(fake.calls()[0]["pid"])


# --- where `claude` is looked for, on each OS (data) ------------------------------------------


def test_windows_lookup_covers_the_native_installer_and_npm():
    env = {"APPDATA": r"C:\Users\ann\AppData\Roaming", "LOCALAPPDATA": r"C:\Users\ann\AppData\Local"}
    found = candidates("Windows", PureWindowsPath(r"C:\Users\ann"), env)
    assert found[0] == PureWindowsPath(r"C:\Users\ann\.local\bin\claude.exe")
    assert PureWindowsPath(r"C:\Users\ann\AppData\Roaming\npm\claude.cmd") in found
    assert PureWindowsPath(r"C:\Users\ann\.claude\local\claude.cmd") in found


def test_macos_lookup_covers_homebrew_and_the_local_install():
    found = candidates("Darwin", PurePosixPath("/Users/ann"), {})
    assert found[0] == PurePosixPath("/Users/ann/.claude/local/claude")
    assert PurePosixPath("/Users/ann/.local/bin/claude") in found
    assert PurePosixPath("/opt/homebrew/bin/claude") in found
    assert PurePosixPath("/usr/local/bin/claude") in found


def test_linux_lookup_covers_npm_prefix_and_not_homebrew():
    found = candidates("Linux", PurePosixPath("/home/ann"), {"NPM_CONFIG_PREFIX": "/opt/npm"})
    assert PurePosixPath("/opt/npm/bin/claude") in found
    assert PurePosixPath("/home/ann/.npm-global/bin/claude") in found
    assert PurePosixPath("/opt/homebrew/bin/claude") not in found


def test_a_usual_location_is_found_when_claude_is_not_on_path(tmp_path):
    home = tmp_path / "home"
    FakeClaude(home / ".claude" / "local").install()
    found = find_claude("", system="Linux", home=home, env={}, which=lambda _: None)
    assert found == home / ".claude" / "local" / "claude"
    assert find_claude("", system="Linux", home=tmp_path / "empty", env={},
                       which=lambda _: None) is None


def test_the_claude_path_setting_wins_over_path(tmp_path, fake):
    other = FakeClaude(tmp_path / "elsewhere").install()
    assert find_claude(str(other.path)) == other.path
    assert find_claude("") == fake.path


def test_windows_child_has_no_window_and_its_tree_is_killed():
    assert popen_options("Windows")["creationflags"] & 0x08000000  # CREATE_NO_WINDOW
    assert popen_options("Linux") == {"start_new_session": True}
    assert kill_command("Windows", 42) == ["taskkill", "/F", "/T", "/PID", "42"]
    assert kill_command("Darwin", 42) is None


# --- the commands say which source served the numbers -----------------------------------------


def test_status_says_claude_code_served_the_numbers(fake):
    from typer.testing import CliRunner

    from claude_carthing.cli import app

    result = CliRunner().invoke(app, ["status", "--source", "claude-code", "--port", "1"])
    assert "via Claude Code" in result.output and "23.0 %" in result.output
    result = CliRunner().invoke(app, ["status", "--json", "--port", "1"])
    assert '"source": "claude-code"' in result.output  # auto prefers it


def test_doctor_counts_claude_code_as_credentials_and_names_the_source(fake, monkeypatch):
    from typer.testing import CliRunner

    from claude_carthing.cli import app
    from claude_carthing.doctor import host

    monkeypatch.setattr(host, "find_adapters", lambda: [])
    result = CliRunner().invoke(app, ["doctor", "--port", "1"])
    assert "[OK]   credentials: `claude` command: found" in result.output
    assert "[OK]   live usage read: read through claude-code: 4 windows" in result.output


def test_doctor_says_why_claude_code_did_not_serve(fake, fake_upstream, monkeypatch):
    from typer.testing import CliRunner

    from claude_carthing.cli import app
    from claude_carthing.doctor import host

    monkeypatch.setattr(host, "find_adapters", lambda: [])
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    creds.write_oauth()
    fake.play("setup_token", "setup_token")
    result = CliRunner().invoke(app, ["doctor", "--port", "1"])
    assert "read through oauth: 3 windows (Claude Code did not answer: Claude Code's login " \
           "cannot report usage limits" in result.output
    fake.play("crash")
    assert CliRunner().invoke(app, ["config", "set", "source", "claude-code"]).exit_code == 0
    result = CliRunner().invoke(app, ["doctor", "--port", "1"])
    assert "[FAIL] live usage read: Claude Code: Claude Code exited with code 3" in result.output
    assert "fix: Check that `claude` runs in a terminal" in result.output


def test_config_show_says_where_claude_is(fake):
    from typer.testing import CliRunner

    from claude_carthing.cli import app

    out = CliRunner().invoke(app, ["config", "show"]).output
    assert f"`claude` at {fake.path}" in out
