"""What a run's values become so that msgpack (channels-redis), Python's json and a browser can
all carry them (execution/portable_json.py), and the side channel's test for when a frame needs
it (pure logic)."""

from __future__ import annotations

import enum
import json
import math

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution.portable_json import MAX_DEPTH, MAX_EXACT_INTEGER, NotPortable, portable
from execution.sandbox.side_channel import _MAY_NOT_BE_PORTABLE


def travels(value: object) -> bool:
    """Through channels-redis (msgpack both ways) and onto the socket as strict JSON."""
    received = msgpack.unpackb(msgpack.packb(value))
    json.dumps(received, ensure_ascii=False, allow_nan=False).encode("utf-8")
    return True


def test_integers_outside_what_a_browser_holds_become_decimal_text():
    assert portable([MAX_EXACT_INTEGER, -MAX_EXACT_INTEGER, 2**53 + 1, -(2**64), 10**30]) == [
        2**53,
        -(2**53),
        "9007199254740993",
        "-18446744073709551616",
        "1" + "0" * 30,
    ]


def test_nan_infinity_surrogates_and_keys():
    value = {
        "nan": math.nan,
        "up": math.inf,
        "down": -math.inf,
        "lone": "a\ud800b",
        "\udfff": 1,
        1: "one",
        None: "null",
        False: "f",
        1.5: "x",
    }
    assert portable(value) == {
        "nan": None,
        "up": "inf",
        "down": "-inf",
        "lone": "a\ufffdb",
        "\ufffd": 1,
        "1": "one",
        "null": "null",
        "false": "f",
        "1.5": "x",
    }
    assert travels(portable(value))


def test_subclasses_travel_as_their_plain_values():
    class Big(enum.IntEnum):
        HUGE = 10**20

    assert portable([Big.HUGE, (1, 2)]) == [str(10**20), [1, 2]]


@pytest.mark.parametrize(
    "value",
    [b"bytes", object(), {(1, 2): "tuple key"}, {"set": {1}}],
)
def test_what_is_not_json_is_refused(value):
    with pytest.raises(NotPortable):
        portable(value)


def test_nesting_is_bounded():
    deep: list = []
    inner = deep
    for _ in range(MAX_DEPTH + 1):
        inner.append([])
        inner = inner[0]
    with pytest.raises(NotPortable):
        portable(deep)


# Text with lone surrogates too (a script's frame can carry them; st.text() never makes them).
texts = st.text() | st.lists(st.sampled_from(["a", "\ud800", "\udfff", "\U0001f600"])).map("".join)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)


@given(json_values, st.booleans())
def test_a_frame_the_side_channel_skips_is_portable_as_parsed(value, ascii_only):
    """The side channel makes a frame portable only when its text may need it: any frame text
    that does not match parses to a value portable() leaves alone."""
    try:
        text = json.dumps(value, ensure_ascii=ascii_only)
        payload = text.encode("utf-8", "surrogatepass")
    except (UnicodeEncodeError, ValueError):
        return
    parsed = json.loads(payload)
    if not _MAY_NOT_BE_PORTABLE.search(payload):
        assert portable(parsed) == parsed
    assert travels(portable(parsed))
