"""Usage errors exit 2 naming the flag; a host the user named is asked, or named in the error.

Issue 17, items 19 and 20.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app
from tests.support.live_server import free_port

runner = CliRunner()


# --- 19: the parser checks ranges and choices -----------------------------------------------------

@pytest.mark.parametrize(("args", "flag"), [
    (["status", "--source", "bogus"], "--source"),
    (["status", "--port", "99999"], "--port"),
    (["status", "--port", "0"], "--port"),
    (["status", "--json", "--port", "-1"], "--port"),
    (["serve", "--port", "70000"], "--port"),
    (["doctor", "--port", "99999"], "--port"),
    (["doctor", "--ssh-port", "99999"], "--ssh-port"),
    (["doctor", "--device", ""], "--device"),
    (["usb-setup", "--dry-run", "--port", "99999"], "--port"),
])
def test_a_bad_option_value_exits_2_naming_the_flag(args, flag):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert flag in result.output
    assert "setting" not in result.output  # a flag is not a setting of the config file


def test_status_source_lists_the_choices_in_help():
    text = runner.invoke(app, ["status", "--help"], env={"COLUMNS": "200"}).output
    assert "claude-code" in text and "oauth" in text and "web" in text


@pytest.mark.parametrize("typed", ["", "\n", "   \n\n"])
def test_login_stdin_with_nothing_on_it_is_a_usage_error(typed):
    result = runner.invoke(app, ["login", "--stdin"], input=typed)
    assert result.exit_code == 2, result.output
    assert "--stdin" in result.output
    assert not paths.secrets_file().exists()


# --- 20: `status --host` asks that host or says it cannot --------------------------------------

@pytest.fixture
def no_dns(monkeypatch):
    """Resolve *.invalid locally to 'no such name' (no query leaves this machine); record it."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".invalid"):
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_status_host_that_does_not_resolve_is_an_error_naming_it(no_dns, fake_upstream,
                                                                 monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    result = runner.invoke(app, ["status", "--host", "nosuchhost.invalid"])
    assert no_dns == ["nosuchhost.invalid"]  # it was asked (through the stand-in resolver)
    assert result.exit_code == 7, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "nosuchhost.invalid" in errors[0]
    assert "does not resolve" in errors[0]
    assert "not configured" not in result.output
    assert fake_upstream.usage_requests() == []  # never read Claude instead


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_status_host_with_nothing_listening_is_an_error_naming_it(fake_upstream, monkeypatch,
                                                                  as_json):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    port = free_port()
    result = runner.invoke(app, ["status", *as_json, "--host", "127.0.0.1", "--port", str(port)])
    assert result.exit_code == 7, result.output
    assert f"127.0.0.1:{port}" in result.output
    assert fake_upstream.usage_requests() == []


def test_status_without_host_still_reads_claude_when_no_server_runs(fake_upstream, monkeypatch):
    monkeypatch.setenv("CLAUDE_CARTHING_WEB_URL", fake_upstream.url)
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", fake_upstream.url)
    result = runner.invoke(app, ["status", "--port", str(free_port())])
    assert result.exit_code == 4, result.output  # it asked Claude: no credentials here


def test_status_watch_with_a_host_that_does_not_answer_is_the_same_error(fake_upstream):
    # The live view must not read Claude directly (or sit there) for a server the user named.
    port = free_port()
    env = {**os.environ, "CLAUDE_CARTHING_WEB_URL": fake_upstream.url,
           "CLAUDE_CARTHING_API_URL": fake_upstream.url}
    done = subprocess.run([sys.executable, "-m", "claude_carthing", "status", "--watch",
                           "--host", "127.0.0.1", "--port", str(port)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 7, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"127.0.0.1:{port}" in errors[0], done.stderr
    assert fake_upstream.usage_requests() == []
