"""The hot commands' JSON agrees with the json module."""

from __future__ import annotations

import json
import math

import pytest

from claude_carthing.claude_code import tinyjson

DOCUMENTS = [
    '{"a": 1, "b": [true, false, null], "c": {"d": "é\\u00e9\\n"}, "e": 14.000000000000002}',
    '  [1, -2.5e3, "x"]  ', '"just a string"', "42", '{"nested": {"deep": [[[]]]}}',
    '{"rate_limits": {"five_hour": {"used_percentage": 37.5, "resets_at": 1764700000}}}',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_loads_agrees_with_json(text: str) -> None:
    assert tinyjson.loads(text) == json.loads(text)


@pytest.mark.parametrize("text", ["", "{", "{not json", '{"a": 1,}', "[1] [2]", "nul"])
def test_loads_refuses_what_json_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        tinyjson.loads(text)


def test_nan_and_infinity_read_as_json_reads_them() -> None:
    assert math.isnan(tinyjson.loads('{"x": NaN}')["x"])
    assert tinyjson.loads("[Infinity, -Infinity]") == [math.inf, -math.inf]


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [True, False, None], "c": {"d": "é\n\"q\""}, "e": 14.000000000000002},
    ["x", 1.5, -3, (1, 2)], "plain", None, {"unicode": "日本語 🚀"},
])
def test_dumps_round_trips_through_json(value: object) -> None:
    expected = json.loads(json.dumps(value))
    assert json.loads(tinyjson.dumps(value)) == expected
    assert tinyjson.dumps(value).isascii()


def test_dumps_never_writes_invalid_numbers() -> None:
    assert json.loads(tinyjson.dumps([math.nan, math.inf])) == [None, None]
