"""One ordered stream: the script's sys.stderr travels framed in the stdout pipe, and the pool
splits it out again (execution/sandbox/protocol.py). Pure logic, every way a pipe may cut it.
Nothing printed turns into stderr: only a 20-byte marker starts a frame."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution.sandbox.protocol import (
    STDERR,
    STDERR_FRAME_MAGIC,
    STDOUT,
    StderrFrameSplitter,
    coalesce,
)

POLICY = Path(__file__).resolve().parents[2] / "sandbox_image" / "script_output.py"
_spec = importlib.util.spec_from_file_location("script_output_under_test", POLICY)
assert _spec is not None and _spec.loader is not None
script_output = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script_output)


def frame(data: bytes) -> bytes:
    """What the writing side sends for one piece of stderr (its own encoder, in pieces)."""
    out = b""
    size = script_output.STDERR_FRAME_PAYLOAD_BYTES
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        out += script_output.STDERR_FRAME_MAGIC + len(piece).to_bytes(2, "big") + piece
    return out


def split(wire: bytes, cuts: list[int]) -> list[tuple[str, bytes]]:
    splitter = StderrFrameSplitter()
    pieces: list[tuple[str, bytes]] = []
    previous = 0
    for cut in [*sorted(cuts), len(wire)]:
        pieces += splitter.feed(wire[previous:cut])
        previous = cut
    return coalesce([*pieces, *splitter.finish()])


def test_both_sides_agree_on_the_magic() -> None:
    assert script_output.STDERR_FRAME_MAGIC == STDERR_FRAME_MAGIC


writes = st.lists(
    st.tuples(st.sampled_from([STDOUT, STDERR]), st.binary(min_size=1, max_size=9000)),
    max_size=8,
)


@given(writes, st.lists(st.integers(0, 40_000), max_size=12))
def test_any_interleaving_cut_anywhere_comes_out_in_order(written, cuts) -> None:
    # Any stdout bytes at all: only the 20-byte marker starts a frame, and no output holds it by
    # accident (a script can write it on purpose, relabelling its own output: nothing more).
    wire = b"".join(data if stream == STDOUT else frame(data) for stream, data in written)
    assert split(wire, [c for c in cuts if c <= len(wire)]) == coalesce(written)


@pytest.mark.parametrize(
    "tail",
    [b"\x1e", b"\x1eN", b"\x1eNE", STDERR_FRAME_MAGIC[:10], STDERR_FRAME_MAGIC[:-1]],
)
def test_what_only_began_like_a_frame_at_the_end_is_stdout(tail: bytes) -> None:
    assert split(b"text" + tail, []) == [(STDOUT, b"text" + tail)]


@pytest.mark.parametrize(
    "printed",
    [
        b"\x1eNE2",  # the old 4-byte marker, then old frames and an old exit record
        b"\x1eNE2\x00\x05hello",
        b"\x1eNE2\xff\xff\x00\x00" + bytes(8),
        STDERR_FRAME_MAGIC[:-1] + b"\x00\x05hello",  # all of the marker but one byte
    ],
)
def test_stdout_that_holds_the_old_or_a_partial_marker_stays_stdout(printed: bytes) -> None:
    wire = b"a" + printed + frame(b"err\n") + printed + b"z"
    for cut in range(len(wire) + 1):
        assert split(wire, [cut]) == [
            (STDOUT, b"a" + printed),
            (STDERR, b"err\n"),
            (STDOUT, printed + b"z"),
        ]


def test_the_marker_is_long_and_mostly_random() -> None:
    assert len(STDERR_FRAME_MAGIC) == 20 and STDERR_FRAME_MAGIC.count(b"\x1e") == 1


def test_a_long_stderr_write_is_cut_into_atomic_frames() -> None:
    data = b"x" * 10_000
    wire = frame(data)
    assert wire.count(STDERR_FRAME_MAGIC) == 3
    assert all(len(part) <= 4096 for part in wire.split(STDERR_FRAME_MAGIC)[1:])
    assert split(wire, [1, 4097, 4098]) == [(STDERR, data)]
