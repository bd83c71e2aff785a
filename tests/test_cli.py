"""The command line as a user runs it: login, logout, status, config, serve, --version."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app
from tests.support import creds
from tests.support.creds import FAKE_SESSION_KEY
from tests.support.fake_upstream import ORG_ID
from tests.support.live_server import LiveServer, free_port

runner = CliRunner()


@pytest.fixture
def upstream_env(fake_upstream, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    return fake_upstream


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("claude-carthing ")


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "claude_carthing", "--version"],
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.startswith("claude-carthing ")


def test_login_discovers_org_and_stores_key_privately(upstream_env):
    result = runner.invoke(app, ["login", "--stdin"], input=FAKE_SESSION_KEY + "\n")
    assert result.exit_code == 0, result.output
    assert "Test person's Organization (Ultra)" in result.output  # tier max_20x, renamed
    assert FAKE_SESSION_KEY not in result.output
    secrets = paths.secrets_file()
    assert json.loads(secrets.read_text())["session_key"] == FAKE_SESSION_KEY
    assert json.loads(paths.account_file().read_text())["org_id"] == ORG_ID
    if os.name != "nt":
        assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
        assert stat.S_IMODE(paths.home_dir().stat().st_mode) == 0o700
    org_calls = [r for r in upstream_env.requests if r.path == "/api/organizations"]
    assert len(org_calls) == 1  # validated with one request


def test_login_accepts_a_pasted_cookie_line_from_stdin(upstream_env):
    result = runner.invoke(app, ["login", "--stdin"], input=f"sessionKey={FAKE_SESSION_KEY}\n")
    assert result.exit_code == 0, result.output
    assert json.loads(paths.secrets_file().read_text())["session_key"] == FAKE_SESSION_KEY


def test_login_with_a_rejected_key_stores_nothing(upstream_env, monkeypatch):
    monkeypatch.setattr("claude_carthing.cli.account.TRANSIENT_RETRY_S", 0.0)
    result = runner.invoke(app, ["login", "--stdin"], input="not-a-real-key\n")
    assert result.exit_code == 5
    assert "session expired" in result.output
    assert not paths.secrets_file().exists()


def test_login_prefers_a_working_os_keyring(upstream_env, monkeypatch):
    import keyring.core

    from tests.support.memory_keyring import MemoryKeyring

    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryKeyring())
    result = runner.invoke(app, ["login", "--stdin"], input=FAKE_SESSION_KEY + "\n")
    assert result.exit_code == 0 and "OS keyring" in result.output
    assert not paths.secrets_file().exists()
    from claude_carthing.upstream import credentials

    assert credentials.read_web().where == "keyring"
    assert runner.invoke(app, ["logout"]).exit_code == 0
    assert credentials.read_web() is None


def test_logout_removes_credentials(upstream_env):
    creds.write_web(org_id=ORG_ID)
    result = runner.invoke(app, ["logout"])
    assert result.exit_code == 0 and "Logged out" in result.output
    assert not paths.secrets_file().exists() and not paths.account_file().exists()
    assert "Nothing was stored" in runner.invoke(app, ["logout"]).output


def test_environment_credentials_are_used(upstream_env, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_SESSION_KEY", FAKE_SESSION_KEY)
    monkeypatch.setenv("CLAUDE_CARTHING_ORG_ID", ORG_ID)
    result = runner.invoke(app, ["status", "--json", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["meta"]["source"] == "web"


def test_status_reads_upstream_when_no_server_runs(upstream_env):
    creds.write_oauth()
    result = runner.invoke(app, ["status", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert "5-hour" in result.output and "Weekly · Fable" in result.output
    assert "81.0 %" in result.output and "live" in result.output


def test_status_prefers_the_running_server(fake_upstream):
    with LiveServer(upstream=fake_upstream) as server:
        before = len(fake_upstream.usage_requests())
        result = runner.invoke(app, ["status", "--json", "--port", str(server.port)])
        assert len(fake_upstream.usage_requests()) == before  # no extra upstream read
    assert result.exit_code == 0
    assert json.loads(result.output)["five_hour"]["utilization"] == 15.0


@pytest.mark.parametrize(("setup", "code", "words"), [
    ("none", 4, "claude-carthing login"),
    ("expired", 5, "session expired"),
    ("cloudflare", 7, "Cloudflare"),
])
def test_status_exit_codes_say_what_is_wrong(upstream_env, setup, code, words):
    if setup == "expired":
        creds.write_web(org_id=ORG_ID)
        upstream_env.fail_with("expired")
    elif setup == "cloudflare":
        creds.write_oauth()
        upstream_env.fail_with("cloudflare")
    result = runner.invoke(app, ["status", "--port", str(free_port())])
    assert result.exit_code == code, result.output
    assert words in result.output


def test_status_exit_code_for_stale_data(fake_upstream):
    with LiveServer(upstream=fake_upstream) as server:
        fake_upstream.fail_with("server_500")
        server.poller.poll_once()
        result = runner.invoke(app, ["status", "--port", str(server.port)])
    assert result.exit_code == 3 and "stale" in result.output


def test_config_path_show_set(tmp_path):
    result = runner.invoke(app, ["config", "path"])
    assert result.output.strip() == str(paths.home_dir())
    assert runner.invoke(app, ["config", "set", "interval", "600"]).exit_code == 0
    shown = json.loads(runner.invoke(app, ["config", "show"]).output)
    assert shown["settings"]["interval"] == 600
    assert "no session key" in shown["credentials"]["web"]
    bad = runner.invoke(app, ["config", "set", "interval", "10"])
    assert bad.exit_code == 8 and "at least 60" in bad.output
    unknown = runner.invoke(app, ["config", "set", "colour", "red"])
    assert unknown.exit_code == 8 and "unknown setting" in unknown.output


def test_corrupted_config_file_is_named_in_one_line():
    paths.ensure_home()
    paths.config_file().write_text("{ not json")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 8
    assert str(paths.config_file()) in result.output and "Traceback" not in result.output


def _serve(port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "claude_carthing", "serve", "--host", "127.0.0.1",
         "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def _wait_health(port: int) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is POSIX")
def test_serve_without_credentials_starts_and_stops_gracefully_on_sigterm():
    port = free_port()
    proc = _serve(port)
    try:
        health = _wait_health(port)
        deadline = time.monotonic() + 10
        while health["state"] == "waiting" and time.monotonic() < deadline:  # first read
            time.sleep(0.1)
            health = _wait_health(port)
        assert health["state"] == "not_configured"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    # uvicorn finishes the graceful shutdown, then re-raises SIGTERM (the conventional status)
    assert proc.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in err and "Application shutdown complete" in err
    assert (paths.log_dir() / "claude-carthing.log").is_file()


def test_serve_on_a_taken_port_says_so_in_one_line():
    port = free_port()
    proc = _serve(port, "--demo")
    try:
        _wait_health(port)
        second = _serve(port)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 6
        assert f"port {port}" in err and "already in use" in err
        assert "Traceback" not in err
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


# --- no traceback for a user's mistake; no secret in a traceback for ours ----------------------

# Options that keep every command on loopback and away from this machine's real services, in
# case one of them ever runs past the broken config instead of stopping at it.
SAFE_ARGS: dict[str, list[str]] = {
    "deploy": ["--device", "127.0.0.1", "--ssh-port", "9", "--dry-run"],
    "undeploy": ["--device", "127.0.0.1", "--ssh-port", "9", "--dry-run"],
    "doctor": ["--device", "127.0.0.1", "--ssh-port", "9", "--server-host", "127.0.0.1"],
    "usb-setup": ["--dry-run"],
    "login": ["--stdin"],
    "config set": ["interval", "600"],
    "config unset": ["interval"],
    "status --watch": [],
}
# Commands that do not need the settings may succeed; every other one must stop with the
# config error (exit 8) in one line.
NEEDS_NO_CONFIG = {"config path", "logout", "autostart disable", "autostart status",
                   "claude-code install", "claude-code uninstall", "claude-code status",
                   "account list", "account add", "account remove", "account rename"}
# Commands that work around a bad line (one that is JSON): `doctor` reports it as a FAIL and
# checks the rest; `config set` and `unset` edit one line and warn about the others.
WORK_AROUND_A_BAD_LINE = {"doctor", "doctor --json", "config set", "config unset"}


def every_command() -> list[str]:
    """Every leaf command of the app, found by walking it (a new command is included by itself)."""
    import typer.main

    found: list[str] = []

    def walk(command, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found.append(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_is_covered_below():
    assert set(every_command()) >= {"serve", "doctor", "usb-setup", "config set", "deploy"}


@pytest.mark.parametrize("command", [*every_command(), "status --json", "status --watch",
                                     "doctor --json", "usb-setup --dry-run"])
@pytest.mark.parametrize("content", ["{ not json", '{"timeout": 0}'])
def test_every_command_on_a_corrupt_config_says_so_in_one_line(command, content, monkeypatch,
                                                               tmp_path):
    from claude_carthing import autostart

    # autostart's service manager and the user's login items stay inside tmp_path
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(autostart, "run", lambda argv: subprocess.CompletedProcess(argv, 3, "", ""))
    paths.ensure_home()
    paths.config_file().write_text(content, encoding="utf-8")
    args = command.split() + SAFE_ARGS.get(command, SAFE_ARGS.get(command.split()[0], []))
    result = runner.invoke(app, args, input=FAKE_SESSION_KEY + "\n")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{command}: {result.exception!r}")
    assert "Traceback" not in result.output
    if command in NEEDS_NO_CONFIG:
        return
    if command.startswith("doctor") or (command in WORK_AROUND_A_BAD_LINE
                                        and content != "{ not json"):
        assert not any(line.startswith("error:") for line in result.output.splitlines())
        assert str(paths.config_file()) in result.output
        assert "timeout" in result.output or "not valid JSON" in result.output
        assert result.exit_code == (1 if command.startswith("doctor") else 0), result.output
        return
    assert result.exit_code == 8, (command, result.output)
    error_lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and str(paths.config_file()) in error_lines[0]
    assert "autostart" not in command or not list((tmp_path / "xdg").rglob("*.service"))


FORCED_LOGIN_ERROR = """
import sys, typer
from claude_carthing.upstream import client

_init = typer.Typer.__init__
def _old_typer_default(self, *args, **kwargs):
    kwargs.setdefault("pretty_exceptions_show_locals", True)  # typer 0.12's default
    _init(self, *args, **kwargs)
typer.Typer.__init__ = _old_typer_default

def _boom(self, *args, **kwargs):
    raise RuntimeError("forced failure inside login")
client.UsageClient.discover_org = _boom

from claude_carthing.cli import main
sys.argv = ["claude-carthing", "login", "--stdin"]
main()
"""


def test_an_unexpected_error_in_login_never_prints_the_key():
    out = subprocess.run([sys.executable, "-c", FORCED_LOGIN_ERROR], input=FAKE_SESSION_KEY + "\n",
                         capture_output=True, text=True, timeout=60, env=os.environ.copy(),
                         check=False)
    assert out.returncode == 1
    assert "forced failure inside login" in out.stderr  # the error did happen, and is shown
    assert creds.CANARY not in out.stdout + out.stderr


# --- --help says what each option is ----------------------------------------------------------


@pytest.mark.parametrize("command", every_command())
def test_help_shows_plain_flags_without_a_value(command):
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "BOOLEAN" not in result.output
    assert "--help  " in result.output or "--help\n" in result.output


def _help(*command: str) -> str:
    return runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"}).output


def _option_line(text: str, option: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(option))


def test_status_host_has_its_own_help():
    assert "listen" in _option_line(_help("serve"), "--host")
    status_host = _option_line(_help("status"), "--host")
    assert "listen" not in status_host and "running server" in status_host


@pytest.mark.parametrize("command", ["deploy", "undeploy", "doctor"])
def test_the_ssh_port_is_ssh_port_everywhere(command):
    text = _help(command)
    assert "SSH port" in _option_line(text, "--ssh-port")
    port_lines = [line for line in text.splitlines() if line.strip().startswith("--port")]
    assert all("SSH" not in line for line in port_lines)


# --- our own server is asked directly, never through a proxy -----------------------------------


@pytest.fixture
def proxy(monkeypatch):
    """A real HTTP proxy stand-in on loopback that records what reaches it and answers 502."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def use() -> list[str]:
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            monkeypatch.setenv(name, url)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        return seen

    yield use
    server.shutdown()
    server.server_close()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command in a fresh process, as a user would (urllib reads proxies per process)."""
    return subprocess.run([sys.executable, "-m", "claude_carthing", *args], capture_output=True,
                          text=True, timeout=60, env=os.environ.copy(), check=False)


def test_status_asks_the_running_server_past_a_proxy(fake_upstream, proxy):
    with LiveServer(upstream=fake_upstream) as server:
        reads = len(fake_upstream.usage_requests())
        seen = proxy()  # set after the server's first read: the upstream may use a proxy
        result = _cli("status", "--json", "--port", str(server.port))
        assert seen == []
        assert len(fake_upstream.usage_requests()) == reads  # it did not read Claude itself
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["five_hour"]["utilization"] == 15.0


def test_status_watch_asks_the_running_server_past_a_proxy(fake_upstream, proxy, monkeypatch):
    from claude_carthing import watch

    with LiveServer(upstream=fake_upstream) as server:
        seen = proxy()
        monkeypatch.setattr(urllib.request, "_opener", None)  # as in a fresh process
        feed = watch.ServerFeed(server.url)
        assert seen == []
        assert feed.document()["five_hour"]["utilization"] == 15.0


def test_doctor_finds_the_running_server_past_a_proxy(fake_upstream, proxy):
    with LiveServer(upstream=fake_upstream) as server:
        seen = proxy()
        # --device/--server-host keep every check on loopback whatever adapters this PC has
        result = _cli("doctor", "--json", "--no-live", "--port", str(server.port),
                      "--device", "127.0.0.1", "--ssh-port", str(free_port()),
                      "--server-host", "127.0.0.1")
        assert seen == []
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["server"]["status"] == "ok", checks["server"]


# --- what a new user meets first ----------------------------------------------------------------


def test_status_without_credentials_says_it_once():
    result = runner.invoke(app, ["status", "--port", str(free_port())], env={"COLUMNS": "300"})
    assert result.exit_code == 4
    assert result.output.count("claude-carthing login") == 1, result.output


def test_a_refused_connection_does_not_say_after_0_ms():
    creds.write_oauth()  # the autouse fixture points Claude at a closed loopback port
    result = runner.invoke(app, ["status", "--port", str(free_port())], env={"COLUMNS": "300"})
    assert result.exit_code == 7
    assert "cannot reach Claude" in result.output and " ms" not in result.output


def test_logout_with_nothing_stored_does_not_wake_a_running_server():
    result = runner.invoke(app, ["logout"])
    assert result.exit_code == 0 and "Nothing was stored" in result.output
    assert not paths.credentials_stamp().exists()  # the server re-reads when this changes


def test_logout_after_a_login_that_failed_says_nothing_was_stored():
    result = runner.invoke(app, ["login", "--stdin"], input=FAKE_SESSION_KEY + "\n")
    assert result.exit_code == 7  # Claude unreachable: nothing was stored
    result = runner.invoke(app, ["logout"])
    assert result.exit_code == 0 and "Nothing was stored" in result.output
    assert not paths.credentials_stamp().exists()


def test_login_without_a_terminal_points_to_stdin():
    out = subprocess.run([sys.executable, "-m", "claude_carthing", "login"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                         env=os.environ.copy(), check=False)
    assert out.returncode == 2
    assert "login --stdin" in out.stderr
    assert "GetPassWarning" not in out.stderr and "Aborted" not in out.stderr


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal (pexpect) is POSIX")
def test_login_in_a_terminal_hides_the_key(upstream_env):
    import pexpect

    child = pexpect.spawn(sys.executable, ["-m", "claude_carthing", "login"], env=os.environ.copy(),
                          encoding="utf-8", timeout=60)
    child.expect("Session key: ")
    child.sendline(FAKE_SESSION_KEY)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Logged in" in child.before and FAKE_SESSION_KEY not in child.before  # never echoed
    assert json.loads(paths.secrets_file().read_text())["session_key"] == FAKE_SESSION_KEY


# --- serve in a terminal: one line per successful read -----------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal (pexpect) is POSIX")
def test_serve_in_a_terminal_prints_one_line_per_read(upstream_env):
    import re

    import pexpect

    creds.write_oauth()
    port = free_port()
    child = pexpect.spawn(sys.executable, ["-m", "claude_carthing", "serve", "--host", "127.0.0.1",
                                           "--port", str(port)],
                          env=os.environ.copy(), encoding="utf-8", timeout=60)
    try:
        # The recorded payload: session 15 %, weekly 40 %, Fable 81 % (numbers as the page shows)
        child.expect(r"\[(\d\d:\d\d:\d\d)\] (5-hour .*)\r\n")
        line = child.match.group(2)
        assert re.fullmatch(r"5-hour 15% · Weekly \d+% · .*Fable 81%.*", line), line
        assert "Weekly · " not in line  # model limits are named by their model, as originally
    finally:
        child.kill(signal.SIGTERM)
        child.close()


def test_each_successful_read_prints_a_line_and_failures_none(fake_upstream, capsys):
    from claude_carthing.service import build_service
    from claude_carthing.settings import load_settings

    creds.write_oauth()
    settings = load_settings(api_url=fake_upstream.url, web_url=fake_upstream.url)
    service = build_service(settings, print_readings=True)
    try:
        service.poller.poll_once()
        fake_upstream.fail_with("server_500")
        service.poller.poll_once()
        fake_upstream.heal()
        service.poller.poll_once()
        assert service.history is not None and service.history.count() >= 2  # still recorded
    finally:
        service.close()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("[") and "5-hour 15%" in line for line in lines)


def test_serve_without_a_terminal_prints_no_reading_lines(upstream_env):
    creds.write_oauth()
    port = free_port()
    proc = _serve(port)
    try:
        health = _wait_health(port)
        deadline = time.monotonic() + 10
        while health["state"] == "waiting" and time.monotonic() < deadline:
            time.sleep(0.1)
            health = _wait_health(port)
        assert health["state"] == "live"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert "5-hour" not in out  # a service's journal gets failures and recoveries, not each read
