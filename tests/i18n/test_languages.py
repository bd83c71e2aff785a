"""Which language: the `language` setting, else the PC's own (locale, Windows, macOS)."""

from __future__ import annotations

import subprocess

import pytest

from claude_carthing.i18n import languages
from claude_carthing.settings import SettingsError, load_settings, set_setting


@pytest.mark.parametrize(("env", "wanted"), [
    ({"LANG": "de_DE.UTF-8"}, "de-DE"),
    ({"LANG": "de_DE.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja-JP"),
    ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "pl_PL.UTF-8"}, "pl-PL"),
    ({"LANG": "zh_TW.UTF-8"}, "zh-Hant-TW"),
    ({"LANG": "zh_HK"}, "zh-Hant-HK"),
    ({"LANG": "zh_CN.UTF-8"}, "zh-Hans-CN"),
    ({"LANG": "pt_PT.UTF-8"}, "pt-BR-PT"),
    ({"LANG": "pt_BR.UTF-8"}, "pt-BR"),
    ({"LANG": "uk_UA.UTF-8"}, "uk-UA"),
    ({"LANG": "en_GB.UTF-8"}, "en-GB"),
    ({"LANG": "ko"}, "ko"),
])
def test_the_locale_environment_names_the_language(env: dict[str, str], wanted: str) -> None:
    assert languages.detect(env, system="Linux") == wanted


@pytest.mark.parametrize("env", [{}, {"LANG": "C.UTF-8"}, {"LANG": "POSIX"}, {"LANG": "xx_YY"}])
def test_no_usable_locale_speaks_english(env: dict[str, str]) -> None:
    assert languages.detect(env, system="Linux") == "en"


def test_windows_ui_language_is_used_without_a_locale_environment(monkeypatch) -> None:
    monkeypatch.setattr(languages, "_windows_ui_language", lambda: "tr_TR")
    assert languages.detect({}, system="Windows") == "tr-TR"
    assert languages.detect({"LANG": "it_IT"}, system="Windows") == "it-IT"  # LANG still wins


def test_macos_first_preferred_language_we_speak(monkeypatch) -> None:
    shown = '(\n    "sv-SE",\n    "nl-NL",\n    "en-US"\n)\n'

    def defaults(argv, **_):
        assert argv == ["defaults", "read", "-g", "AppleLanguages"]
        return subprocess.CompletedProcess(argv, 0, shown, "")

    monkeypatch.setattr(languages.subprocess, "run", defaults)
    assert languages.detect({}, system="Darwin") == "nl-NL"


def test_the_setting_wins_and_auto_follows_the_pc(monkeypatch) -> None:
    monkeypatch.delenv("CLAUDE_CARTHING_LANGUAGE")
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    assert languages.resolve(load_settings().language) == "es-ES"
    set_setting("language", "ja")
    assert languages.resolve(load_settings().language) == "ja"


@pytest.mark.parametrize("bad", ["klingon", "xx", "sv"])
def test_a_language_we_do_not_ship_is_refused_with_the_list(bad: str) -> None:
    with pytest.raises(SettingsError, match="zh-Hant"):
        set_setting("language", bad)
