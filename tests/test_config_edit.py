"""`config set|unset|show` as a new user meets them (issue 17, items 8-10, 12, 13)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claude_carthing import paths
from claude_carthing.cli import app

runner = CliRunner()


def _write(data: dict) -> None:
    paths.ensure_home()
    paths.config_file().write_text(json.dumps(data), encoding="utf-8")


def _stored() -> dict:
    return json.loads(paths.config_file().read_text(encoding="utf-8"))


def _show(*extra: str) -> dict:
    result = runner.invoke(app, ["config", "show", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- 8: notify_stale_minutes has a maximum (a week) ---------------------------------------------

@pytest.mark.parametrize("value", ["200000000", "10081"])
def test_notify_stale_minutes_past_a_week_is_refused(value):
    result = runner.invoke(app, ["config", "set", "notify_stale_minutes", value])
    assert result.exit_code == 8 and "notify_stale_minutes" in result.output
    assert "10080" in result.output  # says the maximum
    assert not paths.config_file().exists()


def test_notify_stale_minutes_of_a_week_is_accepted():
    assert runner.invoke(app, ["config", "set", "notify_stale_minutes", "10080"]).exit_code == 0
    assert _stored()["notify_stale_minutes"] == 10080


# --- 9: cors_origins are normalised as browsers send them ---------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    ("http://192.168.1.5:8080/", "http://192.168.1.5:8080"),
    ("HTTPS://Dash.Example:443", "https://dash.example"),
    ("http://Dash.Example:80", "http://dash.example"),
    ("https://dash.example:8443", "https://dash.example:8443"),
    ("http://[::1]:80/", "http://[::1]"),
])
def test_cors_origins_are_stored_as_browsers_send_them(given, stored):
    result = runner.invoke(app, ["config", "set", "cors_origins", f"{given},null"])
    assert result.exit_code == 0, result.output
    assert _stored()["cors_origins"] == [stored, "null"]
    assert _show()["settings"]["cors_origins"] == [stored, "null"]


@pytest.mark.parametrize("given", ["http://dash.example/app", "http://dash.example/?a=1",
                                   "http://user@dash.example", "http://dash.example#x"])
def test_a_cors_origin_with_a_path_is_refused(given):
    result = runner.invoke(app, ["config", "set", "cors_origins", given])
    assert result.exit_code == 8 and "cors_origins" in result.output
    assert not paths.config_file().exists()


def test_cors_origins_in_the_file_are_normalised_too():
    from claude_carthing.settings import load_settings

    _write({"cors_origins": ["HTTP://Box.LAN:80/"]})
    assert load_settings().cors_origins == ("http://box.lan",)


# --- 10: the hook's arguments are masked ----------------------------------------------------------

SECRET_HOOK = ["curl", "-d", "@-", "https://ntfy.example/s3cr3t-topic-id"]


def test_config_show_masks_the_hook_arguments_unless_asked():
    _write({"hook": SECRET_HOOK})
    shown = runner.invoke(app, ["config", "show"])
    assert shown.exit_code == 0, shown.output
    assert "s3cr3t-topic-id" not in shown.output
    hook = json.loads(shown.output)["settings"]["hook"]
    assert hook[0] == "curl" and len(hook) == len(SECRET_HOOK)
    assert _show("--show-secrets")["settings"]["hook"] == SECRET_HOOK


def test_doctor_json_masks_the_hook_arguments_unless_asked():
    _write({"hook": SECRET_HOOK})
    args = ["doctor", "--json", "--no-live", "--device", "127.0.0.1", "--ssh-port", "9",
            "--server-host", "127.0.0.1"]
    result = runner.invoke(app, args)
    assert "s3cr3t-topic-id" not in result.output
    report = json.loads(result.output)
    config = next(c for c in report["checks"] if c["name"] == "config")
    assert config["data"]["settings"]["hook"][0] == "curl"
    shown = json.loads(runner.invoke(app, [*args, "--show-secrets"]).output)
    config = next(c for c in shown["checks"] if c["name"] == "config")
    assert config["data"]["settings"]["hook"] == SECRET_HOOK


# --- 12: `config set hook` stores a usable command ------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    ('["echo","hi there"]', ["echo", "hi there"]),
    ("touch /tmp/x", ["touch", "/tmp/x"]),
    ("notify-send 'Claude usage' \"two words\"", ["notify-send", "Claude usage", "two words"]),
])
def test_config_set_hook_stores_a_command_list_and_shows_it(given, stored):
    result = runner.invoke(app, ["config", "set", "hook", given])
    assert result.exit_code == 0, result.output
    assert _stored()["hook"] == stored
    assert json.dumps(stored) in result.output


@pytest.mark.parametrize("given", ["", "   ", "[]", '[""]', '["echo", 5]', "'unclosed"])
def test_config_set_hook_refuses_an_empty_or_broken_value(given):
    result = runner.invoke(app, ["config", "set", "hook", given])
    assert result.exit_code == 8 and "hook" in result.output, result.output
    assert not paths.config_file().exists()


# --- 13: settings can be fixed one at a time ------------------------------------------------------

def test_two_bad_settings_can_be_fixed_one_at_a_time():
    _write({"timeout": 0, "interval": 5})
    first = runner.invoke(app, ["config", "set", "timeout", "20"])
    assert first.exit_code == 0, first.output
    assert "warning" in first.output and "interval" in first.output
    assert _stored() == {"timeout": 20.0, "interval": 5}
    second = runner.invoke(app, ["config", "set", "interval", "300"])
    assert second.exit_code == 0, second.output
    assert "warning" not in second.output
    assert _show()["settings"]["interval"] == 300


def test_the_setting_being_set_is_still_checked():
    _write({"timeout": 0})
    result = runner.invoke(app, ["config", "set", "interval", "5"])
    assert result.exit_code == 8 and "interval" in result.output
    assert _stored() == {"timeout": 0}


def test_config_unset_removes_a_line():
    _write({"timeout": 0, "interval": 600})
    result = runner.invoke(app, ["config", "unset", "timeout"])
    assert result.exit_code == 0, result.output
    assert _stored() == {"interval": 600}
    assert _show()["settings"]["timeout"] == 20.0  # back to the default


def test_config_unset_removes_an_unknown_key():
    _write({"colour": "red"})
    assert runner.invoke(app, ["config", "unset", "colour"]).exit_code == 0
    assert _stored() == {}


def test_an_unknown_key_is_not_advised_to_be_fixed_with_config_set():
    _write({"colour": "red"})
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 8
    assert "config set" not in result.output
    assert "config unset colour" in result.output


def test_a_bad_known_key_names_both_fixes():
    _write({"timeout": 0})
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 8
    assert "config set timeout" in result.output and "config unset timeout" in result.output


def test_doctor_reports_a_bad_config_as_a_fail_line_and_runs_on():
    _write({"timeout": 0})
    result = runner.invoke(app, ["doctor", "--no-live", "--device", "127.0.0.1", "--ssh-port",
                                 "9", "--server-host", "127.0.0.1"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("[FAIL] config:") and "timeout" in line for line in lines)
    assert any(line.startswith("[OK]") and "versions" in line for line in lines)  # it ran on
    assert not any(line.startswith("error:") for line in lines)


def test_max_interval_below_interval_is_refused_when_set():
    _write({"interval": 600})
    result = runner.invoke(app, ["config", "set", "max_interval", "300"])
    assert result.exit_code == 8 and "max_interval" in result.output and "600" in result.output


def test_interval_above_max_interval_shows_max_interval_as_not_in_effect():
    result = runner.invoke(app, ["config", "set", "interval", "3600"])
    assert result.exit_code == 0, result.output
    assert "max_interval" in result.output and "not in effect" in result.output
    notes = _show()["notes"]
    assert any("max_interval" in n and "not in effect" in n for n in notes)


def test_notify_thresholds_are_shown_as_numbers():
    assert _show()["settings"]["notify_thresholds"] == [80, 95]
    result = runner.invoke(app, ["config", "set", "notify_thresholds", "70,92.5"])
    assert result.exit_code == 0, result.output
    assert _stored()["notify_thresholds"] == [70, 92.5]
    assert _show()["settings"]["notify_thresholds"] == [70, 92.5]
    assert "[70, 92.5]" in result.output
