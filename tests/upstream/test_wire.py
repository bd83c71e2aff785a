"""Reading every payload shape Claude has sent into windows a user recognises."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from claude_carthing.errors import SchemaError
from claude_carthing.upstream.wire import parse_time, parse_usage
from tests.support.fake_upstream import fixture


def ids(usage):
    return [w.id for w in usage.windows]


def test_full_payload_reads_limits_first_with_model_scoped_weekly():
    usage = parse_usage(fixture("full"))
    assert ids(usage) == ["five_hour", "seven_day", "seven_day_fable"]
    fable = usage.window("seven_day_fable")
    assert fable.label == "Weekly · Fable"
    assert fable.utilization == 81
    assert fable.severity == "warning"
    assert fable.is_active is True
    assert usage.window("five_hour").label == "5-hour"
    assert usage.window("seven_day").label == "Weekly"
    assert usage.extra_usage.used == pytest.approx(408.43)
    assert usage.extra_usage.currency == "USD"
    assert usage.extra_usage.enabled is True


def test_legacy_payload_with_sonnet_and_null_reset():
    usage = parse_usage(fixture("legacy"))
    assert ids(usage) == ["five_hour", "seven_day", "seven_day_sonnet"]
    sonnet = usage.window("seven_day_sonnet")
    assert sonnet.label == "Weekly · Sonnet"
    assert sonnet.utilization == 0.0
    assert sonnet.resets_at is None
    assert usage.window("five_hour").resets_at == datetime(2026, 2, 8, 18, 59, 59,
                                                            tzinfo=timezone.utc)
    assert usage.extra_usage is None


def test_limits_only_payload_fills_windows_and_keeps_surfaces():
    usage = parse_usage(fixture("limits_only"))
    assert ids(usage) == ["five_hour", "seven_day", "seven_day_sonnet", "seven_day_cowork"]
    assert usage.window("five_hour").utilization == 62.0  # sent as the string "62"
    assert usage.window("seven_day").resets_at.microsecond == 500000
    sonnet = usage.window("seven_day_sonnet")
    assert (sonnet.severity, sonnet.model, sonnet.label) == ("critical", "Sonnet",
                                                             "Weekly · Sonnet")
    cowork = usage.window("seven_day_cowork")
    assert cowork.surface == "cowork" and cowork.label == "Weekly · Daily Routines"
    assert cowork.resets_at is None


def test_codename_keys_values_over_100_and_long_fractions():
    usage = parse_usage(fixture("codenames"))
    assert usage.window("five_hour").utilization == 104.5  # kept, clamped only when drawn
    assert usage.window("seven_day").utilization == 1.0  # 1 means 1 %, not 100 %
    assert usage.window("five_hour").resets_at.microsecond == 570750
    iguana = usage.window("iguana_necktie")
    assert iguana.label == "Iguana necktie" and iguana.group == "other"
    assert set(usage.unknown_keys) == {"nimbus_quill", "tangelo", "brand_new_flag"}
    assert usage.extra_usage.enabled is False
    assert usage.extra_usage.limit == 50.0 and usage.extra_usage.currency == "EUR"


@pytest.mark.parametrize("name", ["free_plan", "enterprise"])
def test_null_windows_mean_no_such_limit_not_an_error(name):
    usage = parse_usage(fixture(name))
    assert "five_hour" not in ids(usage)
    if name == "enterprise":
        assert ids(usage) == ["seven_day"]
    else:
        assert ids(usage) == []


@pytest.mark.parametrize("body", [["a list"], "text", {"unexpected": {"shape": 1}}, None])
def test_unusable_bodies_raise_schema_error(body):
    with pytest.raises(SchemaError):
        parse_usage(body)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-19T03:39:59.570750+00:00", datetime(2026, 7, 19, 3, 39, 59, 570750,
                                                      tzinfo=timezone.utc)),
        ("2026-07-19T03:39:59Z", datetime(2026, 7, 19, 3, 39, 59, tzinfo=timezone.utc)),
        ("2026-07-19T05:39:59+02:00", datetime(2026, 7, 19, 3, 39, 59, tzinfo=timezone.utc)),
        ("2026-07-19T03:39:59.1Z", datetime(2026, 7, 19, 3, 39, 59, 100000,
                                            tzinfo=timezone.utc)),
        (None, None),
        ("", None),
        ("not a time", None),
    ],
)
def test_reset_times_in_every_seen_format(text, expected):
    assert parse_time(text) == expected


def test_a_limit_scoped_to_model_and_surface_is_its_own_window():
    fable = {"display_name": "Fable", "id": "claude-fable"}
    usage = parse_usage({"limits": [
        {"kind": "weekly_scoped", "group": "weekly", "percent": 40,
         "scope": {"model": fable, "surface": None}},
        {"kind": "weekly_scoped", "group": "weekly", "percent": 90,
         "scope": {"model": fable, "surface": {"display_name": "Claude Code"}}},
    ]})
    assert ids(usage) == ["seven_day_fable", "seven_day_fable_claude_code"]  # neither dropped
    assert usage.window("seven_day_fable").utilization == 40
    both = usage.window("seven_day_fable_claude_code")
    assert both.utilization == 90 and both.label == "Weekly · Fable · Claude Code"
    assert (both.model, both.surface) == ("Fable", "Claude Code")


@pytest.mark.parametrize("places", [400, -400, 10**6, "1e300", 1e308])
def test_an_absurd_decimal_places_loses_only_the_money_not_the_reading(places):
    usage = parse_usage({
        "five_hour": {"utilization": 12, "resets_at": None},
        "extra_usage": {"is_enabled": True, "used_credits": 40843.0, "monthly_limit": 5000,
                        "decimal_places": places, "currency": "USD"},
        "spend": {"enabled": True, "used": {"amount_minor": 12, "exponent": places}},
    })
    assert usage.window("five_hour").utilization == 12
    assert usage.extra_usage.enabled is True and usage.extra_usage.used is None
    assert usage.extra_usage.limit is None  # an amount at an unknown scale is not shown


def test_spend_with_an_absurd_exponent_keeps_the_reading():
    usage = parse_usage({"five_hour": {"utilization": 3},
                         "spend": {"enabled": True, "used": {"amount_minor": 12, "exponent": 999}}})
    assert usage.window("five_hour").utilization == 3 and usage.extra_usage.used is None


def test_control_characters_and_lone_surrogates_never_reach_a_name():
    # A NUL byte cannot go into a hook's environment; a lone surrogate cannot be encoded.
    body = {
        "limits": [{"kind": "weekly_scoped", "group": "weekly", "percent": 81,
                    "scope": {"model": {"display_name": "Fa\x00ble\ud800\x1b[31m"}}}],
        "seven_day_ne\x07w\udc00": {"utilization": 90, "resets_at": None},
        "five_hour": {"utilization": 10, "resets_at": None},
    }
    usage = parse_usage(body)
    texts = [t for w in usage.windows for t in (w.id, w.label, w.model or "")]
    assert "Weekly · Fable[31m" in texts and "Fable[31m" in texts
    for text in texts:
        assert not any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in text)
        text.encode("utf-8")  # no lone surrogate left
    assert "seven_day_new" in ids(usage)
