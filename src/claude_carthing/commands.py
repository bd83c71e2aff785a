"""Running a local system program (ip, netsh, systemctl, launchctl...) without a shell."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]
TIMEOUT_S = 30


def run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its text output; a missing program is exit code 127."""
    try:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=TIMEOUT_S,
                              check=False)
    except FileNotFoundError as exc:
        return subprocess.CompletedProcess(list(argv), 127, "", str(exc))
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(argv), 124, "", f"timed out after {TIMEOUT_S} s")
