"""The sessions the server keeps from Claude Code's hook events."""

from __future__ import annotations

from claude_carthing.claude_code.sessions import ENDED_KEEP_S, SILENT_KEEP_S, Sessions
from tests.support.clock import Clock


def hook(sessions: Sessions, name: str, sid: str = "s1", **fields: str) -> None:
    sessions.on_hook({"hook_event_name": name, "session_id": sid, "project": "my-project",
                      **fields})


def state(sessions: Sessions, sid: str = "s1") -> dict:
    return next(s for s in sessions.to_json() if s["session_id"] == sid)


def test_a_session_goes_through_idle_working_waiting_idle_ended() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    hook(sessions, "SessionStart", model="claude-opus-4-5")
    assert state(sessions)["state"] == "idle" and state(sessions)["model"] == "claude-opus-4-5"
    clock.now += 5
    hook(sessions, "UserPromptSubmit")
    assert state(sessions)["state"] == "working"
    assert state(sessions)["since_ms"] == int(clock.now * 1000)
    clock.now += 5
    hook(sessions, "PermissionRequest", tool_name="Bash")
    assert state(sessions)["state"] == "waiting"
    assert state(sessions)["waiting_for"] == "permission"
    since = state(sessions)["since_ms"]
    clock.now += 6
    hook(sessions, "Notification", notification_type="permission_prompt")
    assert state(sessions)["since_ms"] == since  # still the same wait
    hook(sessions, "PostToolUse")
    assert state(sessions)["state"] == "working" and state(sessions)["waiting_for"] is None
    hook(sessions, "StopFailure", error="rate_limit")
    assert state(sessions)["state"] == "idle"
    assert state(sessions)["last_failure"] == "rate_limit"
    clock.now += 60
    hook(sessions, "Notification", notification_type="idle_prompt")
    assert state(sessions)["state"] == "waiting" and state(sessions)["waiting_for"] == "input"
    hook(sessions, "SessionEnd", reason="prompt_input_exit")
    assert state(sessions)["state"] == "ended"


def test_the_list_is_waiting_longest_first_then_working_idle_ended() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    hook(sessions, "SessionEnd", "gone")
    hook(sessions, "Stop", "resting")
    hook(sessions, "UserPromptSubmit", "busy")
    hook(sessions, "PermissionRequest", "first")
    clock.now += 10
    hook(sessions, "Notification", "second", notification_type="idle_prompt")
    assert [s["session_id"] for s in sessions.to_json()] == [
        "first", "second", "busy", "resting", "gone"]


def test_ended_sessions_are_forgotten_after_minutes_and_silent_ones_after_hours() -> None:
    clock = Clock()
    sessions = Sessions(clock)
    hook(sessions, "SessionEnd", "gone")
    hook(sessions, "Stop", "quiet")
    clock.now += ENDED_KEEP_S + 1
    assert [s["session_id"] for s in sessions.to_json()] == ["quiet"]
    clock.now += SILENT_KEEP_S
    assert sessions.to_json() == []


def test_a_status_line_reading_tells_the_model_and_context() -> None:
    sessions = Sessions(Clock())
    sessions.on_statusline({"session_id": "s1", "project": "p", "model": "Opus 4.5",
                            "context_pct": 41.6})
    assert state(sessions)["model"] == "Opus 4.5" and state(sessions)["context_pct"] == 42
    assert set(state(sessions)) == {"session_id", "project", "state", "since_ms",
                                    "waiting_for", "model", "context_pct", "last_failure"}


def test_events_without_a_session_id_are_ignored() -> None:
    sessions = Sessions(Clock())
    sessions.on_hook({"hook_event_name": "Stop"})
    assert sessions.to_json() == []


def test_the_status_lines_project_and_model_win_over_a_hooks_cwd_and_model_id() -> None:
    sessions = Sessions(Clock())
    hook(sessions, "SessionStart", model="claude-opus-4-5")
    sessions.on_statusline({"session_id": "s1", "project": "my-project", "model": "Opus 4.5"})
    sessions.on_hook({"hook_event_name": "UserPromptSubmit", "session_id": "s1",
                      "project": "src"})  # Claude ran `cd src`
    sessions.on_hook({"hook_event_name": "SessionStart", "session_id": "s1",
                      "model": "claude-opus-4-5", "source": "resume"})
    assert state(sessions)["project"] == "my-project" and state(sessions)["model"] == "Opus 4.5"
