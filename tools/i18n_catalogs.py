"""Keep the gettext catalogs in step with the code: `python tools/i18n_catalogs.py`.

Extracts every `t(...)` / `tn(...)` message from the Python texts and the page's scripts into
src/claude_carthing/locales/messages.pot (the one list of messages), then updates each
language's .po from it: new messages are added untranslated, gone ones dropped. The tests fail
until every language translates every message (tests/i18n/test_catalogs.py).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "claude_carthing"
LOCALES = PACKAGE / "locales"
KEYWORDS = {"t": None, "tn": (1, 2)}
METHODS = [("**.py", "python"), ("page/**.js", "javascript")]
OPTIONS = {"**.py": {"encoding": "utf-8"}}
STAMP = datetime(2026, 1, 1, tzinfo=timezone.utc)


def extract() -> Catalog:
    """Return the template: every message of the Python texts and the page, in source order."""
    # A fixed date: the files change only when the messages do.
    template = Catalog(project="claude-carthing", charset="utf-8", fuzzy=False,
                       creation_date=STAMP, revision_date=STAMP)
    for path, line, message, comments, context in extract_from_dir(
            str(PACKAGE), METHODS, options_map=OPTIONS, keywords=KEYWORDS,
            comment_tags=("i18n:",)):
        if message[0] if isinstance(message, tuple) else message:
            template.add(message, None, [(path, line)], auto_comments=comments, context=context)
    return template


def _write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_by_file=False, omit_header=False,
                 include_lineno=False)


def update(template: Catalog) -> list[str]:
    """Update every language's catalog from the template; return the languages changed."""
    sys.path.insert(0, str(ROOT / "src"))
    from claude_carthing.i18n.catalogs import po_path
    from claude_carthing.i18n.languages import DEFAULT, LANGUAGES

    changed = []
    for code, (babel_id, _) in LANGUAGES.items():
        if code == DEFAULT:
            continue
        path = po_path(code)
        if path.is_file():
            with path.open("rb") as f:
                catalog = read_po(f, locale=babel_id)
        else:
            catalog = Catalog(locale=babel_id, project="claude-carthing", fuzzy=False,
                              creation_date=STAMP, revision_date=STAMP)
        before = path.read_bytes() if path.is_file() else b""
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(catalog, path)
        if path.read_bytes() != before:
            changed.append(code)
    return changed


def main() -> None:
    """Extract the template and update the catalogs."""
    template = extract()
    _write(template, LOCALES / "messages.pot")
    print(f"{len(template)} messages; updated: {', '.join(update(template)) or 'none'}")


if __name__ == "__main__":
    main()
