"""Settings: every value is checked when it is set and when it is loaded; errors name the culprit."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app
from claude_carthing.settings import Settings, SettingsError, load_settings

runner = CliRunner()

# Each of these was accepted by `config set` and later crashed `serve` (or made no sense).
BAD_VALUES = [
    ("log_level", "LOUD"),
    ("host", "not a host"),
    ("host", ""),
    ("timeout", "0"),
    ("timeout", "-1"),
    ("timeout", "nan"),
    ("timeout", "inf"),
    ("port", "0"),
    ("port", "eighty"),
    ("interval", "10"),
    ("interval", "100000000000"),
    ("history_days", "100000000000000000000"),
    ("history_days", "1"),
    ("source", "carrier-pigeon"),
    ("web_url", "ftp://claude.ai"),
    ("api_url", "https://"),
    ("allow", "192.168.1.0/33"),
    ("allowed_hosts", "bad host"),
    ("cors_origins", "not-an-origin"),
    ("max_interval", "30"),
    ("max_interval", "100000000000000000000000"),  # the wait would never end
    ("claude_code_version", "latest"),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_config_set_refuses_a_bad_value_and_names_the_setting(name: str, value: str) -> None:
    result = runner.invoke(app, ["config", "set", name, value])
    assert result.exit_code == 8, result.output
    assert name in result.output and "Traceback" not in result.output
    assert not paths.config_file().exists()  # nothing was stored


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_a_bad_value_in_the_file_names_the_file_and_the_setting(name: str, value: str) -> None:
    paths.ensure_home()
    paths.config_file().write_text(json.dumps({name: value}), encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert str(paths.config_file()) in message and name in message


@pytest.mark.parametrize(("name", "value"), [
    ("log_level", "debug"), ("host", "localhost"), ("host", "::1"), ("host", "127.0.0.1"),
    ("timeout", "2.5"), ("allowed_hosts", "carthing.lan,my-pc"),
    ("cors_origins", "http://192.168.1.5:8080,null"), ("web_url", "http://127.0.0.1:9"),
])
def test_good_values_are_accepted(name: str, value: str) -> None:
    result = runner.invoke(app, ["config", "set", name, value])
    assert result.exit_code == 0, result.output
    assert json.loads(paths.config_file().read_text(encoding="utf-8"))[name]


def test_serve_with_a_bad_log_level_in_the_file_says_so_in_one_line() -> None:
    paths.ensure_home()
    paths.config_file().write_text(json.dumps({"log_level": "LOUD"}), encoding="utf-8")
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 8
    assert "log_level" in result.output and str(paths.config_file()) in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_bad_flag_value_is_not_blamed_on_the_file() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(port=70000)
    assert "port" in str(caught.value) and str(paths.config_file()) not in str(caught.value)


def test_a_wrongly_typed_json_value_names_the_setting() -> None:
    paths.ensure_home()
    paths.config_file().write_text(json.dumps({"allow": 5}), encoding="utf-8")
    with pytest.raises(SettingsError, match="allow"):
        load_settings()


def test_defaults_are_valid() -> None:
    assert Settings().validated() == Settings()


def test_every_setting_config_show_lists_is_documented() -> None:
    from dataclasses import fields
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    table = doc.read_text(encoding="utf-8").split("| Setting | Default | Meaning |", 1)[1].split("\n\n", 1)[0]
    documented = {name for row in table.splitlines() if row.startswith("|") for name in
                  (part.strip(" `") for part in row.split("|")[1].split(","))}
    assert {f.name for f in fields(Settings)} <= documented


def test_a_bad_environment_override_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_CARTHING_API_URL", "ftp://example.invalid")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 8
    assert "CLAUDE_CARTHING_API_URL" in result.output and "api_url" in result.output
