"""CI's own rules: strict mode counts every kind of skip, and `.ci/run` fails on any failure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CI_RUN = ROOT / ".ci" / "run"

MODULE_SKIP = """
import pytest

pytest.skip("needs something this machine lacks", allow_module_level=True)


def test_never_runs():
    pass
"""
PASSING = "def test_passes():\n    pass\n"


def child_pytest(folder: Path, strict: bool) -> subprocess.CompletedProcess[str]:
    """Run pytest on `folder` in a child process with this project's conftest as a plugin."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLAUDE_CARTHING_STRICT": "1" if strict else "0"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(folder), "-c", os.devnull, str(folder)],
        capture_output=True, text=True, timeout=120, env=env, cwd=folder, check=False)


@pytest.mark.parametrize("skip", ["module", "importorskip"])
def test_strict_mode_counts_a_skip_while_collecting(tmp_path: Path, skip: str) -> None:
    body = MODULE_SKIP if skip == "module" else (
        'import pytest\n\npytest.importorskip("claude_carthing_no_such_module")\n' + PASSING)
    (tmp_path / "test_skipped_module.py").write_text(body, encoding="utf-8")
    (tmp_path / "test_fine.py").write_text(PASSING, encoding="utf-8")
    relaxed = child_pytest(tmp_path, strict=False)
    assert relaxed.returncode == 0, relaxed.stdout  # a skip is fine outside CI
    strict = child_pytest(tmp_path, strict=True)
    assert strict.returncode == 1, strict.stdout
    assert "test_skipped_module.py" in strict.stdout and "fails the run" in strict.stdout


def test_strict_mode_still_counts_a_skipped_test(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(
        'import pytest\n\ndef test_skips():\n    pytest.skip("no tool")\n', encoding="utf-8")
    assert child_pytest(tmp_path, strict=True).returncode == 1


# --- .ci/run's test step, run with stand-ins for pip and python ------------------------------


def ci_test_step() -> str:
    """Return the lines of `.ci/run` between its test-step markers."""
    text = CI_RUN.read_text(encoding="utf-8")
    match = re.search(r"# >>> test step[^\n]*\n(.*?)# <<< test step", text, re.S)
    assert match, "the test step of .ci/run is marked with # >>> test step / # <<< test step"
    return match.group(1)


def run_step(tmp_path: Path, pip_rc: int, pytest_rc: int) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    for name, rc in (("pip", pip_rc), ("python", pytest_rc)):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\nexit {rc}\n', encoding="utf-8")
        tool.chmod(0o755)
    script = "set -euo pipefail\n" + ci_test_step() + "\necho STEP-PASSED\n"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
                            cwd=tmp_path, check=False)
    result.calls = log.read_text(encoding="utf-8") if log.exists() else ""  # type: ignore[attr-defined]
    return result


def test_the_step_is_the_readme_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"Run the tests:\n\n```sh\n(.*?)\n```", readme).group(1)  # type: ignore[union-attr]
    assert command in ci_test_step()


def test_a_failed_install_fails_ci(tmp_path: Path) -> None:
    result = run_step(tmp_path, pip_rc=1, pytest_rc=0)
    assert result.returncode != 0 and "STEP-PASSED" not in result.stdout
    assert "python -m pytest" not in result.calls  # nothing was tested


def test_failing_tests_fail_ci(tmp_path: Path) -> None:
    result = run_step(tmp_path, pip_rc=0, pytest_rc=1)
    assert result.returncode == 1 and "STEP-PASSED" not in result.stdout


def test_no_tests_collected_fails_ci_saying_so(tmp_path: Path) -> None:
    result = run_step(tmp_path, pip_rc=0, pytest_rc=5)
    assert result.returncode != 0 and "STEP-PASSED" not in result.stdout
    assert "no tests" in result.stderr.lower()


def test_a_passing_run_passes(tmp_path: Path) -> None:
    result = run_step(tmp_path, pip_rc=0, pytest_rc=0)
    assert result.returncode == 0 and "STEP-PASSED" in result.stdout
    assert "pip install" in result.calls and "python -m pytest" in result.calls


def apt_packages() -> set[str]:
    """Return the Debian packages `.ci/run` installs (its APT_PACKAGES array, comments dropped)."""
    block = re.search(r"^APT_PACKAGES=\((.*?)^\)", CI_RUN.read_text(encoding="utf-8"), re.S | re.M)
    assert block, ".ci/run lists its Debian packages in APT_PACKAGES=( ... )"
    return {word for line in block.group(1).splitlines() for word in line.split("#")[0].split()}


def test_a_plain_debian_machine_gets_python_and_tzdata() -> None:
    assert {"python3", "python3-venv", "tzdata"} <= apt_packages()
