"""Doctor's look at the Claude Code connection: our entries in its settings, our executable."""

from __future__ import annotations

from claude_carthing.doctor.model import Check

NAME = "Claude Code connection"


def check_claude_code() -> Check:
    """Our status line and hooks are in Claude Code's settings and point at a real executable."""
    from claude_carthing.claude_code.settings_install import InstallError, status

    try:
        report = status()
    except InstallError as exc:
        return Check(NAME, "fail", str(exc), "Fix the JSON of Claude Code's settings file.")
    data = {"settings": str(report.settings), "executable": report.executable,
            "status_line": report.status_line, "hooks": report.hooks,
            "chained_status_line": report.chained is not None}
    if not report.status_line and not any(report.hooks.values()):
        return Check(NAME, "warn", f"not connected ({report.settings})",
                     "Run `claude-carthing claude-code install` for live numbers and sessions "
                     "from Claude Code.", data=data)
    if report.problems:
        return Check(NAME, "fail", "; ".join(report.problems),
                     "Run `claude-carthing claude-code install` again.", data=data)
    return Check(NAME, "ok", f"status line and {len(report.hooks)} hooks in {report.settings}, "
                 f"running {report.executable}", data=data)
