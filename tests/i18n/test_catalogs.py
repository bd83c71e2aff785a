"""The catalogs: one list of messages (messages.pot, extracted from the code), every language
translates every one of them with the same placeholders, and plural forms come out right."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from claude_carthing.i18n.catalogs import TEMPLATE, catalog, po_path
from claude_carthing.i18n.languages import DEFAULT, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def template() -> list:
    with TEMPLATE.open("rb") as f:
        return [m for m in read_po(f) if m.id]


def language(code: str):
    with po_path(code).open("rb") as f:
        return read_po(f, locale=LANGUAGES[code][0])


def forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """Return a catalog entry's id or translation as its forms: one, or a plural's every form."""
    return value if isinstance(value, tuple) else (value,)


def test_the_template_lists_every_message_the_code_asks_for() -> None:
    # A t("...") added to the code without running tools/i18n_catalogs.py would never be
    # translated: the committed template must be what extraction finds today.
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import i18n_catalogs
    finally:
        sys.path.remove(str(ROOT / "tools"))
    found = {m.id for m in i18n_catalogs.extract() if m.id}
    assert found == {m.id for m in template()}
    assert len(found) > 200


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_translates_every_message_with_the_same_placeholders(code: str) -> None:
    po = language(code)
    problems = []
    for message in template():
        found = po.get(message.id)
        if found is None or found.fuzzy:
            problems.append(f"missing: {message.id!r}")
            continue
        ids = forms(message.id)
        said = forms(found.string)
        if len(said) != (po.num_plurals if isinstance(message.id, tuple) else 1):
            problems.append(f"{len(said)} forms for {message.id!r}")
        wanted = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for form in said:
            if not form:
                problems.append(f"empty: {message.id!r}")
            elif set(PLACEHOLDER.findall(form)) != wanted:
                problems.append(f"placeholders differ: {message.id!r} -> {form!r}")
            elif form.count("`") != ids[0].count("`"):
                problems.append(f"commands must stay commands: {message.id!r} -> {form!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("code", "n", "wanted"), [
    ("pl", 1, "1 dzień temu"), ("pl", 2, "2 dni temu"), ("pl", 5, "5 dni temu"),
    ("uk", 1, "1 день тому"), ("uk", 3, "3 дні тому"), ("uk", 5, "5 днів тому"),
    ("uk", 21, "21 день тому"), ("uk", 22, "22 дні тому"), ("uk", 111, "111 днів тому"),
    ("de", 1, "vor 1 Tag"), ("de", 2, "vor 2 Tagen"), ("ja", 3, "3日前"),
])
def test_plural_forms_follow_the_language(code: str, n: int, wanted: str) -> None:
    assert catalog(code).tn("{n} day ago", "{n} days ago", n) == wanted


def test_polish_counts_sessions_with_three_forms() -> None:
    said = [catalog("pl").tn("{name} and {n} more are waiting for you",
                             "{name} and {n} more are waiting for you", n, name="api")
            for n in (1, 2, 5, 22, 25)]
    assert said == ["api i 1 inna sesja czekają na ciebie", "api i 2 inne sesje czekają na ciebie",
                    "api i 5 innych sesji czeka na ciebie", "api i 22 inne sesje czekają na ciebie",
                    "api i 25 innych sesji czeka na ciebie"]


@pytest.mark.parametrize("code", ["pl", "uk", "fr"])
def test_the_pages_plural_table_matches_the_rule(code: str) -> None:
    found = catalog(code)
    table = found.plural_table()
    for n in [*range(300), 1001, 1002, 1005, 1011, 1022]:
        page = table[n if n < len(table) else 100 + n % 100]
        assert page == found.plural_index(n), n


def test_a_message_without_a_translation_falls_back_to_english() -> None:
    assert catalog("de").t("no such message {x}", x=1) == "no such message 1"
    assert catalog("de").t("Weekly") == "Woche"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_login_command_stays_whole_for_several_accounts(code: str) -> None:
    # With several accounts the page inserts "--account NAME" after `claude-carthing login`
    # (model.js forAccount) in whatever language the reason is said.
    po = language(code)
    for message in template():
        if isinstance(message.id, str) and "`claude-carthing login`" in message.id:
            assert "`claude-carthing login`" in po.get(message.id).string, message.id


@pytest.mark.parametrize(("code", "n", "wanted"), [
    ("pl", 1, "1 konto · 1 bez aktualizacji"), ("pl", 3, "3 konta · 3 bez aktualizacji"),
    ("pl", 5, "5 kont · 5 bez aktualizacji"), ("pl", 22, "22 konta · 22 bez aktualizacji"),
    ("uk", 1, "1 акаунт · 1 не оновлюється"), ("uk", 3, "3 акаунти · 3 не оновлюються"),
    ("uk", 5, "5 акаунтів · 5 не оновлюються"), ("uk", 21, "21 акаунт · 21 не оновлюється"),
    ("de", 1, "1 Konto · 1 ohne Aktualisierung"), ("de", 2, "2 Konten · 2 ohne Aktualisierung"),
    ("fr", 2, "2 comptes · 2 sans mise à jour"), ("ja", 2, "2 アカウント · 2 件が更新停止中"),
])
def test_the_accounts_footer_counts_in_the_language(code: str, n: int, wanted: str) -> None:
    found = catalog(code)
    said = (found.tn("{n} account", "{n} accounts", n) + " · "
            + found.tn("{n} not updating", "{n} not updating", n))
    assert said == wanted


# One word per language for each term a user learns from the screen (issue: "one word for
# 'window', 'resets', 'weekly' per language"): a stem that every form of the word shares.
TERMS = {"reset": re.compile(r"\breset", re.I), "weekly": re.compile(r"\bweekly\b", re.I),
         "window": re.compile(r"\bwindows?\b", re.I)}
GLOSSARY = {
    "de": {"reset": "reset", "weekly": "woche", "window": "fenster"},
    "fr": {"reset": "réinit", "weekly": "hebdo", "window": "fenêtre"},
    "es": {"reset": "reinici", "weekly": "semanal", "window": "ventana"},
    "it": {"reset": "azzer", "weekly": "sett", "window": "finestr"},
    "pt-BR": {"reset": "rein[ií]ci", "weekly": "semanal", "window": "janela"},
    "nl": {"reset": "reset", "weekly": "week", "window": "venster"},
    "pl": {"reset": "reset", "weekly": "tydzień", "window": "okn|okien"},
    "uk": {"reset": "скида|скину", "weekly": "тижд", "window": "вік"},
    "tr": {"reset": "sıfırla", "weekly": "haftalık", "window": "pencere"},
    "ja": {"reset": "リセット", "weekly": "週間", "window": "ウィンドウ"},
    "ko": {"reset": "재설정", "weekly": "주간", "window": "창"},
    "zh-Hans": {"reset": "重置", "weekly": "每周", "window": "窗口"},
    "zh-Hant": {"reset": "重設", "weekly": "每週", "window": "時段"},
}


def test_the_glossary_names_every_language() -> None:
    assert set(GLOSSARY) == set(TRANSLATED)


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_term_is_one_word_in_every_message(code: str) -> None:
    # A message that says "reset" in English says the language's one word for it: German
    # "Reset" on the card and "zurückgesetzt" in the notification read as two things.
    po = language(code)
    strays = []
    for message in template():
        english = forms(message.id)[0]
        translated = forms(po.get(message.id).string)
        for term, said in TERMS.items():
            if said.search(english):
                strays += [f"{term}: {english!r} -> {form!r}" for form in translated
                           if not re.search(GLOSSARY[code][term], form, re.I)]
    assert not strays
