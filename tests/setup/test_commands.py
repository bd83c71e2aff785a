"""Running local programs: output that is not valid UTF-8 must not crash a command."""

from __future__ import annotations

import sys

from claude_carthing.commands import powershell, powershell_script, run


def test_run_survives_output_in_another_code_page() -> None:
    # schtasks on a German Windows writes "Wird ausgeführt" in OEM code page 850: 0x81 for ü.
    script = "import sys; sys.stdout.buffer.write(b'Wird ausgef\\x81hrt \\xff'); sys.exit(3)"
    result = run([sys.executable, "-c", script])
    assert result.returncode == 3
    assert result.stdout == "Wird ausgef\ufffdhrt \ufffd"


def test_run_reports_a_missing_program_as_127() -> None:
    result = run(["claude-carthing-no-such-program"])
    assert result.returncode == 127 and result.stdout == ""


def test_powershell_forces_utf8_output_and_shows_only_the_script() -> None:
    argv = powershell("Get-NetAdapter")
    assert argv[-1] == "[Console]::OutputEncoding=[Text.UTF8Encoding]::new($false); Get-NetAdapter"
    assert powershell_script(argv) == "Get-NetAdapter"
    assert powershell_script(["schtasks", "/Run"]) is None
