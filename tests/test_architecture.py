"""The house rules of docs/architecture.md hold, and the import contracts that guard them bite.

`lint-imports` (import-linter) reads the contracts in pyproject.toml. Each rule is broken on
purpose in a copy of the package, and the run must fail naming that rule's contract.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from claude_carthing.history import History
from claude_carthing.models import Usage, Window

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "claude_carthing"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# rule id -> (module to edit, the import that breaks the rule)
VIOLATIONS = {
    "web-layer-never-reaches-claude": ("serving/server.py", "from claude_carthing.upstream import client"),
    "device-knows-no-credentials": ("device/page.py", "from claude_carthing.upstream import credentials"),
    "client-knows-no-server": ("upstream/wire.py", "from claude_carthing.serving import server"),
    "core-knows-no-command": ("poller.py", "from claude_carthing.cli import options"),
    "history-stores-readings-only": ("history.py", "from claude_carthing.alerts import store"),
}


def contract_ids() -> list[str]:
    """The ids of pyproject.toml's import contracts (read as text: tomllib needs Python 3.11)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.findall(r'^\[\[tool\.importlinter\.contracts\]\]\nid = "([^"]+)"', text, re.M)


def lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed (pip install -e '.[test]')")
    env = {**os.environ, "PYTHONPATH": str(cwd / "src"), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "claude_carthing",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_every_rule_of_the_architecture_page_is_a_contract() -> None:
    assert set(VIOLATIONS) <= set(contract_ids())
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for rule in VIOLATIONS:
        assert f"`{rule}`" in page, f"docs/architecture.md names the contract {rule}"


def test_the_contracts_hold_on_this_code(copy: Path) -> None:
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contract_ids())} kept, 0 broken." in result.stdout


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_breaking_a_rule_fails_its_contract(copy: Path, rule: str) -> None:
    module, line = VIOLATIONS[rule]
    path = copy / "src" / "claude_carthing" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    assert lint_imports(copy, "--contract", rule).returncode == 1
    result = lint_imports(copy)
    assert result.returncode == 1
    assert re.search(r"Contracts: \d+ kept, 1 broken\.", result.stdout), result.stdout
    others = [other for other in contract_ids() if other != rule]
    assert lint_imports(copy, *(a for o in others for a in ("--contract", o))).returncode == 0


def test_ci_runs_the_import_contracts_after_ruff_and_mypy() -> None:
    steps = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert steps.index("lint-imports") > steps.index("mypy") > steps.index("ruff check src tests bench tools")


PAGE_SECRETS = re.compile(r"sessionKey|cf_clearance|__cf_bm|accessToken|refreshToken|sk-ant-|"
                          r"Authorization|document\.cookie|anthropic-device-id", re.I)


def test_the_page_knows_no_credentials() -> None:
    """The page the device runs asks our server with no credentials and names none."""
    for file in (PACKAGE / "page").iterdir():
        if file.is_dir():  # fonts/: the CJK font subsets, no code
            continue
        text = file.read_text(encoding="utf-8")
        assert not PAGE_SECRETS.search(text), f"{file.name} names a credential"
    app = (PACKAGE / "page" / "app.js").read_text(encoding="utf-8")
    assert "credentials: 'omit'" in app, "the page's requests carry no cookies"


def test_history_stores_readings_only(tmp_path: Path) -> None:
    """One table of samples: when, which window, how full, when it resets, whose (the account's
    folder key, "" for the default account). Nothing else."""
    history = History(tmp_path / "history.sqlite3")
    history.append(1.0, Usage(windows=(Window("five_hour", "5-hour", "session", 42.0),)))
    history.close()
    db = sqlite3.connect(tmp_path / "history.sqlite3")
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    columns = [row[1] for row in db.execute("PRAGMA table_info(samples)")]
    rows = db.execute("SELECT * FROM samples").fetchall()
    db.close()
    assert tables == ["samples"]
    assert columns == ["at_ms", "window_id", "utilization", "resets_at_ms", "account"]
    assert rows == [(1_000, "five_hour", 42.0, None, "")]
