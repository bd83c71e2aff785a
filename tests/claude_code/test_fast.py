"""`claude-carthing statusline` and `hook` as Claude Code runs them: the real executable, a real
server or none, a hung one, a cancelled run; always exit 0, quick, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from claude_carthing.claude_code import endpoint
from tests.support.live_server import LiveServer, free_port

EXE = Path(sys.executable).with_name("claude-carthing")
FUTURE = int(time.time()) + 3 * 3600
READING = {"session_id": "sess-1", "cwd": "/home/someone/secret-place/my-project",
           "workspace": {"project_dir": "/home/someone/secret-place/my-project"},
           "model": {"id": "claude-opus-4-5", "display_name": "Opus 4.5"},
           "context_window": {"used_percentage": 42},
           "transcript_path": "/home/someone/.claude/projects/x.jsonl",
           "rate_limits": {"five_hour": {"used_percentage": 14.000000000000002,
                                         "resets_at": FUTURE},
                           "seven_day": {"used_percentage": 61, "resets_at": FUTURE + 86400}}}


def run(command: str, stdin: Any, timeout: float = 10) -> tuple[subprocess.CompletedProcess[str],
                                                                 float]:
    data = stdin if isinstance(stdin, str) else json.dumps(stdin)
    start = time.monotonic()
    out = subprocess.run([str(EXE), command], input=data, capture_output=True, text=True,
                         timeout=timeout, check=False, env={**os.environ, "NO_COLOR": "1"})
    return out, time.monotonic() - start


def point_at(port: int) -> None:
    endpoint.write("127.0.0.1", port)


def test_statusline_with_the_server_down_prints_claude_codes_own_numbers_quickly() -> None:
    point_at(free_port())  # nothing listens there
    out, took = run("statusline", READING)
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.strip() == "5h 14% · wk 61%"
    assert took < 1.0


def test_statusline_and_hook_with_a_hung_server_give_up_within_a_second() -> None:
    with socket.socket() as hung:  # accepts connections (backlog), never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        point_at(hung.getsockname()[1])
        for command, stdin in (("statusline", READING),
                               ("hook", {"hook_event_name": "Stop", "session_id": "s"})):
            out, took = run(command, stdin)
            assert out.returncode == 0 and out.stderr == "", command
            assert took < 1.0, f"{command} took {took:.2f} s"
    assert out.stdout == ""  # a hook prints nothing


@pytest.mark.parametrize("stdin", ["", "not json", "[1, 2]", '{"rate_limits": "odd"}',
                                   '{"rate_limits": {"five_hour": {"used_percentage": "x"}}}'])
def test_odd_input_never_fails(stdin: str) -> None:
    point_at(free_port())
    for command in ("statusline", "hook"):
        out, _ = run(command, stdin)
        assert out.returncode == 0 and out.stderr == ""
        assert "Traceback" not in out.stdout


def test_a_cancelled_status_line_leaves_no_traceback() -> None:
    # Claude Code cancels an in-flight status line when a new update comes (Node's kill():
    # SIGTERM); stand-in: stdin is still open when the process is stopped, as it waits for it.
    point_at(free_port())
    for command, delay in (("statusline", 0.05), ("statusline", 0.2), ("statusline", 0.4),
                           ("hook", 0.2)):  # starting, importing, waiting for stdin
        proc = subprocess.Popen([str(EXE), command], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=5)
        assert b"Traceback" not in err and err == b"", delay


def test_a_status_line_whose_stdin_never_closes_still_ends() -> None:
    point_at(free_port())
    proc = subprocess.Popen([str(EXE), "statusline"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(READING).encode())
    proc.stdin.flush()
    _, err = proc.communicate(timeout=3)  # stdin left open until communicate closes it
    assert proc.returncode == 0 and err == b""


def test_the_users_own_status_line_runs_on_the_same_input_after_ours(tmp_path: Path) -> None:
    point_at(free_port())
    seen = tmp_path / "seen.json"
    chained = f"cat > {seen}; echo their-line"
    Path(os.environ["CLAUDE_CONFIG_DIR"]).mkdir(parents=True, exist_ok=True)
    (Path(os.environ["CLAUDE_CONFIG_DIR"]) / "claude-carthing.json").write_text(
        json.dumps({"chained_status_line": chained}))
    out, _ = run("statusline", READING)
    assert out.stdout.splitlines() == ["5h 14% · wk 61%", "their-line"]
    assert json.loads(seen.read_text()) == READING


def test_a_reading_reaches_usage_and_sessions_and_the_line_comes_from_the_server() -> None:
    with LiveServer(source=None) as server:
        out, _ = run("statusline", READING)
        assert out.returncode == 0 and out.stdout.strip() == "5h 14% · wk 61%"
        with urllib.request.urlopen(server.url + "/usage", timeout=5) as response:
            usage = json.loads(response.read())
        assert usage["meta"]["source"] == "statusline"
        assert usage["five_hour"]["utilization"] == 14  # float noise rounded
        assert usage["seven_day"]["utilization"] == 61
        run("hook", {"hook_event_name": "UserPromptSubmit", "session_id": "sess-1",
                     "cwd": "C:\\Users\\someone\\my-project", "prompt": "secret words"})
        with urllib.request.urlopen(server.url + "/api/sessions", timeout=5) as response:
            listing = json.loads(response.read())
        [session] = listing["sessions"]
        assert session["state"] == "working" and session["project"] == "my-project"
        assert session["model"] == "Opus 4.5" and session["context_pct"] == 42
        assert "secret" not in json.dumps(listing)  # no path, no prompt
        assert usage["sessions"][0]["session_id"] == "sess-1"


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_browsers_cannot_post_readings_or_hook_events(origin: str) -> None:
    with LiveServer(source=None) as server:
        for path in ("/api/claude-code/statusline", "/api/claude-code/hook"):
            request = urllib.request.Request(
                server.url + path, data=json.dumps(READING).encode(), method="POST",
                headers={"Content-Type": "application/json", "Origin": origin})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=5)
            assert refused.value.code == 403
            refused.value.close()
        assert server.poller.snapshot().source != "statusline"


def test_even_the_servers_own_page_cannot_post_readings() -> None:
    with LiveServer(source=None) as server:
        request = urllib.request.Request(
            server.url + "/api/claude-code/statusline", data=json.dumps(READING).encode(),
            method="POST", headers={"Content-Type": "application/json", "Origin": server.url})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 403
        refused.value.close()


def test_the_fast_path_finds_the_home_folder_as_the_rest_of_the_program(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from claude_carthing import paths

    for xdg in (None, str(tmp_path / "xdg")):
        monkeypatch.delenv("CLAUDE_CARTHING_HOME", raising=False)
        if xdg is None:
            monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
        assert Path(endpoint.home_dir()) == paths.home_dir()


def test_the_hot_commands_import_nothing_heavy() -> None:
    code = ("import sys; sys.argv=['claude-carthing','hook']; import io; "
            "sys.stdin=io.TextIOWrapper(io.BytesIO(b'{}'))\n"
            "from claude_carthing.launch import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in ('typer','rich','starlette','platformdirs','claude_carthing.settings',"
            "'http.client','importlib.metadata','json','socket','typing','pathlib') if m in sys.modules]\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30, check=True)
    assert out.stdout.strip() == "[]"
