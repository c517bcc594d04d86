"""One ordered stream: the script's sys.stderr travels framed in the stdout pipe, and the pool
splits it out again (execution/sandbox/protocol.py). Pure logic, every way a pipe may cut it."""

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

POLICY = Path(__file__).resolve().parent.parent / "sandbox_image" / "script_output.py"
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
    pieces, previous = [], 0
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
    # Stdout that happens to hold the magic is the one thing that reads differently: a script
    # can relabel its own output, which is all it can do. Left out of the property.
    written = [(s, d) for s, d in written if not (s == STDOUT and b"\x1e" in d)]
    wire = b"".join(data if stream == STDOUT else frame(data) for stream, data in written)
    assert split(wire, [c for c in cuts if c <= len(wire)]) == coalesce(written)


@pytest.mark.parametrize("tail", [b"\x1e", b"\x1eN", b"\x1eNE", b"\x1eNE2", b"\x1eNE2\x00"])
def test_what_only_began_like_a_frame_at_the_end_is_stdout(tail: bytes) -> None:
    assert split(b"text" + tail, []) == [(STDOUT, b"text" + tail)]


def test_a_long_stderr_write_is_cut_into_atomic_frames() -> None:
    data = b"x" * 10_000
    wire = frame(data)
    assert wire.count(STDERR_FRAME_MAGIC) == 3
    assert all(len(part) <= 4096 for part in wire.split(STDERR_FRAME_MAGIC)[1:])
    assert split(wire, [1, 4097, 4098]) == [(STDERR, data)]
