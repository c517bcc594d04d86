"""Values a run sends, made to travel: every hop after the sandbox can carry them exactly.

A run's values cross msgpack (channels-redis, worker -> web), Python's json (WebSocket, SSE log)
and a browser's JSON.parse. Each has limits that plain JSON from the side channel can pass:
msgpack refuses integers outside 64 bits, strings with lone surrogates (a `\\ud800` escape) and,
on the receiving side, map keys that are not strings; Python's json writes NaN and Infinity,
which no browser parses (`1e999` in a frame reads as infinity); a browser holds integers exactly
only up to 2^53. `portable()` is the one place a value is brought within all of them, applied to
every event the side channel produces (sandbox/side_channel.py), so any value a run can send
(a table cell, a trace value, future outputs) travels the same way.
"""

from __future__ import annotations

import math
import re
from typing import Any

# What a browser's number holds exactly (Number.MAX_SAFE_INTEGER is 2^53 - 1; 2^53 is exact too).
MAX_EXACT_INTEGER = 2**53
# Deeper than any value the runner sends; msgpack and json both recurse.
MAX_DEPTH = 64
# A lone surrogate: not encodable as UTF-8 (a valid pair never reaches a str as two).
_SURROGATE = re.compile("[\ud800-\udfff]")


class NotPortable(ValueError):
    """A value that cannot be sent as JSON (bytes, an object, nested too deep)."""


def deeper_than(value: Any, limit: int) -> bool:
    """Whether a JSON value nests more than `limit` levels (a scalar is 0), without recursion:
    a hostile value (a script's frame, a request's inputs) may nest deeper than the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level + 1 > limit:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


def portable(value: Any, depth: int = 0) -> Any:
    """`value` (JSON-like) as every hop can carry it: integers past ±2^53 as decimal text, NaN
    as null, ±infinity as "inf"/"-inf" (as the runner writes cells), lone surrogates as U+FFFD,
    dict keys as text (as json.dumps writes them). NotPortable for anything else."""
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is int:
        return value if -MAX_EXACT_INTEGER <= value <= MAX_EXACT_INTEGER else str(value)
    if kind is float:
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    for base in (int, float, str):
        if isinstance(value, base):  # a subclass (an IntEnum, a str enum): its plain value
            return portable(base(value), depth)
    if depth >= MAX_DEPTH:
        raise NotPortable(f"a value nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, list | tuple):
        return [portable(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_key(key): portable(item, depth + 1) for key, item in value.items()}
    raise NotPortable(f"a {kind.__name__} is not a JSON value")


def _text(value: str) -> str:
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)
    return value


def _key(key: Any) -> str:
    if type(key) is str:
        return _text(key)
    if key is None or key is True or key is False:
        return {None: "null", True: "true", False: "false"}[key]
    if type(key) is int or type(key) is float:
        return repr(key)
    raise NotPortable(f"a {type(key).__name__} is not a JSON object key")
