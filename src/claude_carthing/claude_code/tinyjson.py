"""JSON for the hot commands on CPython's C scanner and string encoder (`_json`) alone.

`import json` costs the hot commands about a tenth of a bare Python's start-up; the C parts it
wraps are already built into CPython.
"""

import _json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
else:
    Any = object

_WHITESPACE = " \t\n\r"


def _constant(name: str) -> float:
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


class _Context:
    """What the C scanner reads from `json.JSONDecoder`."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_constant)
    memo: dict[str, str] = {}  # noqa: RUF012 - the C scanner's own cache


def loads(text: str) -> Any:
    """Decode one JSON document; ValueError when it is not one."""
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        scanner: Any = _json.make_scanner
        value, end = scanner(_Context())(text, start)
    except StopIteration as exc:
        raise ValueError("not JSON") from exc
    if text[end:].strip(_WHITESPACE):
        raise ValueError("extra data after the JSON value")
    return value


def dumps(value: Any) -> str:
    """Encode strings, numbers, booleans, None, lists and dicts (string keys) as ASCII JSON."""
    return "".join(_parts(value))


def _parts(value: Any) -> Any:
    if value is None:
        yield "null"
    elif value is True:
        yield "true"
    elif value is False:
        yield "false"
    elif isinstance(value, str):
        yield _json.encode_basestring_ascii(value)
    elif isinstance(value, int):
        yield int.__repr__(value)
    elif isinstance(value, float):
        finite = value - value == 0.0  # False for NaN and the infinities
        yield float.__repr__(value) if finite else "null"
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + _json.encode_basestring_ascii(str(key)) + ":"
            yield from _parts(item)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _parts(item)
        yield "]"
    else:
        yield "null"
