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


def docs() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_the_readme_starts_small() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; details go to docs/"


def test_every_doc_is_linked_from_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for doc in docs():
        assert f"](docs/{doc.name}" in readme, f"README.md links docs/{doc.name}"


@pytest.mark.parametrize("path", [README, *docs(), ROOT / "bench" / "README.md"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_to_this_repository_resolves(path: Path) -> None:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        assert linked.exists(), f"{path.name}: {target} names a missing file"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{path.name}: {target} names a missing section"


def test_every_command_and_option_is_in_the_commands_doc() -> None:
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `claude-carthing ([a-z -]+?)(?: [A-Z][A-Z ]*)?`\n(.*?)(?=^## |\Z)",
                               text, re.M | re.S))
    for path, command in commands():
        if not path or getattr(command, "commands", None):
            continue
        name = " ".join(path)
        assert name in sections, f"docs/commands.md has a section `claude-carthing {name}`"
        for param in command.params:
            if param.param_type_name != "option" or param.hidden or "--help" in param.opts:
                continue
            for flag in (*param.opts, *param.secondary_opts):
                assert re.search(rf"`{re.escape(flag)}[` ]", sections[name]), \
                    f"docs/commands.md: `claude-carthing {name}` documents {flag}"


def test_the_readme_says_what_fable_is() -> None:
    """A per-model limit's name means nothing to a newcomer unless the text says what it is."""
    readme = README.read_text(encoding="utf-8")
    assert re.search(r'"?Fable"?(:|,? is| \(| —)[^.]*\bmodel', readme), \
        "the README explains Fable where it names it"


def test_the_readme_leads_to_the_page_parameters() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "](docs/page.md#query-parameters)" in readme
    table = (DOCS / "page.md").read_text(encoding="utf-8").split("## Query parameters", 1)[1]
    assert "`theme`" in table and "?theme=" in readme


def test_the_readme_says_its_pictures_show_history_when_they_do() -> None:
    """The README's pictures come from scenes with a week of readings: it must not say otherwise."""
    from tests.page import gallery, scenes

    readme = README.read_text(encoding="utf-8")
    built = scenes.build(1_800_000_000.0)
    shown = {file: scene for file, scene, _theme, _view in gallery.README
             if f"docs/screenshots/{file}.png" in readme}
    with_history = [file for file, scene in shown.items() if any(built[scene].series.values())]
    assert with_history, "the README shows a picture with history"
    assert "no history" not in " ".join(readme.lower().split())
