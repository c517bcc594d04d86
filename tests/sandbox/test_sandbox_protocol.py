"""The byte formats between pool and container, without Docker: frames, header, tracebacks."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution.sandbox.protocol import (
    EXIT,
    STDERR_FRAME_MAGIC,
    STDOUT,
    ExitRecord,
    FrameDecoder,
    StderrFrameSplitter,
    coalesce,
    encode_script,
    error_line_from_stderr,
    last_exception_name,
)
from execution.sandbox.sandbox import classify


def frame(stream_id: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream_id, len(payload)) + payload


def joined(pieces) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for stream, payload in pieces:
        if out and out[-1][0] == stream:
            out[-1] = (stream, out[-1][1] + payload)
        else:
            out.append((stream, payload))
    return out


def test_frames_are_split_into_streams():
    data = frame(1, b"out") + frame(2, b"err") + frame(1, b"more")
    assert list(FrameDecoder().feed(data)) == [
        ("stdout", b"out"),
        ("stderr", b"err"),
        ("stdout", b"more"),
    ]


def test_partial_payloads_are_delivered_before_the_frame_completes():
    decoder = FrameDecoder()
    data = frame(1, b"hello world")
    assert list(decoder.feed(data[: 8 + 5])) == [("stdout", b"hello")]
    assert list(decoder.feed(data[8 + 5 :])) == [("stdout", b" world")]


@given(
    st.lists(st.tuples(st.sampled_from([1, 2]), st.binary(max_size=50)), max_size=10),
    st.lists(st.integers(min_value=1, max_value=20), max_size=30),
)
def test_any_split_of_the_stream_decodes_the_same(frames, cuts):
    data = b"".join(frame(s, p) for s, p in frames)
    decoder = FrameDecoder()
    pieces = []
    pos = 0
    for cut in cuts:
        pieces += decoder.feed(data[pos : pos + cut])
        pos += cut
    pieces += decoder.feed(data[pos:])
    expected = joined(("stdout" if s == 1 else "stderr", p) for s, p in frames if p)
    assert joined(p for p in pieces if p[1]) == expected


def test_script_header_counts_bytes_not_characters():
    assert encode_script("print('€')") == b"NE1 12\nprint('\xe2\x82\xac')"
    assert encode_script("") == b"NE1 0\n"


TRACEBACK = """Traceback (most recent call last):
  File "main.py", line 9, in <module>
    outer()
  File "main.py", line 5, in outer
    inner()
  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)
"""


def test_error_line_is_the_innermost_main_py_frame():
    assert error_line_from_stderr(TRACEBACK) == 5


def test_error_line_reads_the_last_traceback_only():
    earlier = 'Traceback (most recent call last):\n  File "main.py", line 99, in f\nValueError\n'
    assert error_line_from_stderr(earlier + "some output\n" + TRACEBACK) == 5


def test_error_line_of_a_syntax_error():
    stderr = "  File \"main.py\", line 2\n    y = (\n        ^\nSyntaxError: '(' was never closed\n"
    assert error_line_from_stderr(stderr) == 2


def test_no_traceback_no_error_line():
    assert error_line_from_stderr("just some text\n") is None


def test_last_exception_name():
    assert last_exception_name(TRACEBACK) == "json.decoder.JSONDecodeError"
    assert last_exception_name("Traceback (most recent call last):\nMemoryError\n") == "MemoryError"
    assert last_exception_name("MemoryError\n") is None  # not a traceback: user text


@pytest.mark.parametrize(
    ("forced", "exit_code", "oom", "stderr", "reason"),
    [
        (None, 0, False, "", "ok"),
        (None, 3, False, "", "error"),
        (None, 137, True, "", "memory"),
        (None, 1, False, "Traceback (most recent call last):\nMemoryError\n", "memory"),
        (None, 152, False, "", "cpu_limit"),
        (None, None, False, "", "worker_lost"),
        ("killed", 137, False, "", "killed"),
        ("output_limit", 137, True, "", "output_limit"),
        ("timeout", 0, False, "", "timeout"),
    ],
)
def test_classify(forced, exit_code, oom, stderr, reason):
    assert classify(forced, exit_code, oom, stderr) == reason


@pytest.mark.parametrize(
    ("forced", "exit_code", "reason"),
    [
        # No exit record: the container died from outside. SIGKILL the pool did not send is the
        # memory cgroup's OOM killer, whatever Docker's OOMKilled says (it misses some).
        (None, 137, "memory"),
        ("killed", 137, "killed"),
        ("timeout", 137, "timeout"),
        (None, 124, "timeout"),
        (None, 139, "error"),
    ],
)
def test_classify_without_an_exit_record(forced, exit_code, reason):
    assert classify(forced, exit_code, False, "", reported=False) == reason


def test_a_reported_sigkill_is_not_memory():
    # The runner's record says the script died of SIGKILL (it killed itself): not the OOM killer.
    assert classify(None, 137, False, "", reported=True) == "error"


def exit_record(code: int, flags: int = 0, side: int = 0) -> bytes:
    return STDERR_FRAME_MAGIC + b"\xff\xff" + bytes((code, flags)) + side.to_bytes(8, "big")


def test_the_splitter_yields_exit_records_in_order_even_when_cut():
    stream = b"out" + exit_record(3, 1, 42) + b"late" + exit_record(0, 2, 2**64 - 1)
    for cut in range(len(stream) + 1):
        splitter = StderrFrameSplitter()
        pieces = [*splitter.feed(stream[:cut]), *splitter.feed(stream[cut:]), *splitter.finish()]
        merged = coalesce(pieces)
        assert merged == [
            (STDOUT, b"out"),
            (EXIT, ExitRecord(code=3, memory=True, side_bytes=42, supervisor=False)),
            (STDOUT, b"late"),
            (EXIT, ExitRecord(code=0, memory=False, side_bytes=None, supervisor=True)),
        ], cut


def test_a_run_ended_by_the_cpu_limit_is_told_so(settings):
    from execution.exit_reasons import exit_message

    settings.RUN_CPU_SECONDS, settings.RUN_WALL_SECONDS = 7, 30
    message = exit_message(classify(None, 152, False, ""), 152)
    assert "7 s of CPU time" in message
    assert "30 s" not in message


def test_the_pool_and_the_runner_agree_on_the_scripts_name_and_markers():
    """The runner is another program (in the image), so its constants are read from its source."""
    import ast
    from pathlib import Path

    from execution.sandbox import protocol

    runner = Path(__file__).resolve().parents[2] / "sandbox_image" / "runner.py"
    constants = {
        node.targets[0].id: node.value.value
        for node in ast.parse(runner.read_text()).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    for name in ("SCRIPT_FILENAME", "HEADER_MAGIC", "READY_MARKER", "INPUTS_FIELD"):
        assert constants[name] == getattr(protocol, name), name
