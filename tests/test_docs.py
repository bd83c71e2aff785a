"""The README and docs/ as a newcomer reads them: short, linked, complete, and true to the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from claude_carthing.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
runner = CliRunner()


def commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every visible command of the CLI as (path, click command), groups included."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            if not sub.hidden:
                walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def first_paragraph(help_text: str) -> str:
    return " ".join(help_text.split("\n\n", maxsplit=1)[0].split())


@pytest.mark.parametrize("width", [80, 120])
def test_help_summaries_are_never_cut_inside_a_sentence(width: int) -> None:
    """A group's --help lists each command with a summary: the whole first paragraph, its
    first sentence, or a cut marked with "..." (never a stray "e.g.")."""
    for path, group in commands():
        if not getattr(group, "commands", None):
            continue
        result = runner.invoke(app, [*path, "--help"], terminal_width=width)
        assert result.exit_code == 0, result.output
        listed = result.output.split("Commands:", 1)[1]
        for name, sub in group.commands.items():
            if sub.hidden:
                continue
            line = re.search(rf"^  {re.escape(name)} +(.*)$", listed, re.M)
            assert line, f"`{' '.join(path)} --help` lists {name}"
            summary, whole = line.group(1).strip(), first_paragraph(sub.help or "")
            if summary == whole or summary.endswith("..."):
                continue
            rest = whole[len(summary):]
            assert whole.startswith(summary) and summary.endswith(".") and \
                re.match(r" [A-Z]", rest), f"{' '.join((*path, name))}: {summary!r} cuts {whole!r}"
