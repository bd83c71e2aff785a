"""Pytest plugin: with CLAUDE_CARTHING_STRICT=1 (CI), any skip fails the run, even a module's."""

from __future__ import annotations

import os

import pytest

STRICT_ENV = "CLAUDE_CARTHING_STRICT"

_skipped: list[str] = []


def _strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count a skipped test (setup, call or teardown)."""
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Count a module or class skipped while collecting (`allow_module_level=True`, importorskip)."""
    if report.skipped:
        _skipped.append(f"{report.nodeid or 'collection'} (skipped while collecting)")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run in strict mode when anything was skipped."""
    if _strict() and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name every skip that failed the run."""
    if _strict() and _skipped:
        terminalreporter.write_line(
            f"{STRICT_ENV}=1: {len(_skipped)} skip(s), which fails the run:", red=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f"  {nodeid}", red=True)
