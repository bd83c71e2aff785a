"""Which language to speak: the 14 we ship, and the PC's own choice (locale, Windows, macOS)."""

from __future__ import annotations

import os
import platform
import re
import subprocess

# Code (as the `language` setting and `?lang=` take it) -> (Babel locale, name in itself).
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("en", "English"),
    "de": ("de", "Deutsch"),
    "fr": ("fr", "Français"),
    "es": ("es", "Español"),
    "it": ("it", "Italiano"),
    "pt-BR": ("pt_BR", "Português (Brasil)"),
    "nl": ("nl", "Nederlands"),
    "pl": ("pl", "Polski"),
    "uk": ("uk", "Українська"),
    "tr": ("tr", "Türkçe"),
    "ja": ("ja", "日本語"),
    "ko": ("ko", "한국어"),
    "zh-Hans": ("zh_Hans_CN", "简体中文"),
    "zh-Hant": ("zh_Hant_TW", "繁體中文"),
}
DEFAULT = "en"
AUTO = "auto"
# Chinese written in traditional characters: Taiwan, Hong Kong, Macau.
_TRADITIONAL = {"tw", "hk", "mo", "hant"}
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
MAC_TIMEOUT_S = 2.0


def match(tag: str | None) -> str | None:
    """Return our code for a locale name or language tag ('de_DE.UTF-8', 'zh-TW', 'pt'), or None.

    'C' and 'POSIX' say nothing about a language: None.
    """
    if not tag:
        return None
    text = tag.strip().split(".")[0].split("@")[0]
    if not _TAG.fullmatch(text) or text.upper() in ("C", "POSIX"):
        return None
    parts = [p.lower() for p in re.split(r"[-_]", text)]
    lang = parts[0]
    if lang == "zh":
        return "zh-Hant" if _TRADITIONAL & set(parts[1:]) else "zh-Hans"
    if lang == "pt":
        return "pt-BR"  # the one Portuguese we ship
    for code in LANGUAGES:
        if code.lower() == lang:
            return code
    return None


def normalize(tag: str | None) -> str | None:
    """Return the canonical tag of a locale: our code, plus a region when it has its own formats.

    'de_DE.UTF-8' -> 'de-DE', 'en_GB' -> 'en-GB', 'zh_TW' -> 'zh-Hant-TW', 'pt' -> 'pt-BR',
    'de' -> 'de'; None when we do not speak it. Messages come from the code, formats (24 h or
    12 h, separators) from the whole tag.
    """
    code = match(tag)
    if code is None or tag is None:
        return None
    parts = re.split(r"[-_]", tag.strip().split(".")[0].split("@")[0])
    region = next((p.upper() for p in parts[1:] if re.fullmatch(r"[A-Za-z]{2}|\d{3}", p)), None)
    if region is None or code.endswith("-" + region):
        return code
    return f"{code}-{region}"


def babel_id(tag: str) -> str:
    """Return the Babel locale id of a canonical tag ('en-GB' -> 'en_GB', 'zh-Hant-HK' ->
    'zh_Hant_HK'), or the language's default locale when Babel does not know the region."""
    from babel import Locale, UnknownLocaleError

    code = match(tag) or DEFAULT
    base = LANGUAGES[code][0]
    region = tag[len(code) + 1:] if tag.startswith(code + "-") else ""
    if not region:
        return base
    lang = base.split("_")[0] + ("_" + base.split("_")[1] if code.startswith("zh") else "")
    try:
        Locale.parse(f"{lang}_{region}")
    except (UnknownLocaleError, ValueError):
        return base
    return f"{lang}_{region}"


def from_environment(env: dict[str, str] | None = None) -> str | None:
    """Return the language of LC_ALL, LC_MESSAGES or LANG (the first one set), or None."""
    env = dict(os.environ) if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalize(value)  # the first one set decides, as in POSIX
    return None


def _windows_ui_language() -> str | None:
    import ctypes
    import locale

    lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    return locale.windows_locale.get(int(lcid))


def _mac_preferred_languages() -> list[str]:
    try:
        done = subprocess.run(["defaults", "read", "-g", "AppleLanguages"], capture_output=True,
                              text=True, timeout=MAC_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(r'"?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)"?\s*,?\s*$', done.stdout, re.M)


def from_platform(system: str | None = None) -> str | None:
    """Return the language of Windows' UI or macOS' first preferred language we ship, or None."""
    system = system or platform.system()
    try:
        if system == "Windows":
            return normalize(_windows_ui_language())
        if system == "Darwin":
            for tag in _mac_preferred_languages():
                found = normalize(tag)
                if found:
                    return found
    except (OSError, AttributeError, ValueError):
        return None
    return None


def detect(env: dict[str, str] | None = None, system: str | None = None) -> str:
    """Return the PC's language: the locale's environment, else the OS's UI language, else en."""
    return from_environment(env) or from_platform(system) or DEFAULT


def resolve(setting: str | None) -> str:
    """Return the language tag to speak for the `language` setting ('auto', 'de', 'en-GB')."""
    if setting and setting != AUTO:
        return normalize(setting) or DEFAULT
    return detect()
