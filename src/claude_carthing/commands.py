"""Running a local system program (ip, netsh, systemctl, launchctl...) without a shell."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]
TIMEOUT_S = 30
POWERSHELL = ("powershell.exe", "-NoProfile", "-NonInteractive", "-Command")
# Windows PowerShell writes in the console's OEM code page unless told otherwise.
UTF8_OUTPUT = "[Console]::OutputEncoding=[Text.UTF8Encoding]::new($false); "


def powershell(script: str) -> tuple[str, ...]:
    """Return the argv that runs one PowerShell script (UTF-8 output, no user profile)."""
    return (*POWERSHELL, UTF8_OUTPUT + script)


def powershell_script(argv: Sequence[str]) -> str | None:
    """Return the script of an argv made by `powershell`, as a user would type it; else None."""
    if tuple(argv[:-1]) == POWERSHELL and argv[-1].startswith(UTF8_OUTPUT):
        return argv[-1][len(UTF8_OUTPUT):]
    return None


def run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its text output; a missing program is exit code 127."""
    try:
        # Output is decoded as UTF-8 whatever the locale; a stray byte (an OEM code page
        # message from schtasks, say) becomes U+FFFD instead of an exception.
        return subprocess.run(list(argv), capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        return subprocess.CompletedProcess(list(argv), 127, "", str(exc))
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(argv), 124, "", f"timed out after {TIMEOUT_S} s")
