"""Byte-level formats between the pool and a container: the runner's script header, Docker's
multiplexed attach stream, and the runner's traceback on stderr."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, AnyStr

HEADER_MAGIC = b"NE1"
# The header's optional last field (sandbox_image/runner.py, INPUTS_FIELD): the inputs' length.
INPUTS_FIELD = b"inputs="
# The runner's first stdout bytes: its interpreter now waits for a script.
READY_MARKER = b"NE1 READY\n"
# The name the runner compiles the script under (sandbox_image/runner.py, SCRIPT_FILENAME; a
# separate program in the image, so it is stated on both sides and a test checks they agree):
# the traceback frames that are the script's.
SCRIPT_FILENAME = "main.py"
# The runner's exit code when RLIMIT_CPU ended the script (128 + SIGXCPU).
EXIT_CPU_LIMIT = 152
# The runner's exit code when its own wall clock ended the script (no pool worker did), and when
# no script came to a warm container in its idle time.
EXIT_WALL_LIMIT = 124
EXIT_IDLE = 125

STDOUT = "stdout"
STDERR = "stderr"
# A debug run's event (`trace`, `paused`) placed among the output pieces, in order.
DEBUG = "debug"
# Docker's stream ids in the 8-byte frame header; 3 carries the engine's own errors.
_STREAM_NAMES = {1: STDOUT, 2: STDERR, 3: STDERR}
_FRAME_HEADER = struct.Struct(">BxxxL")


def encode_script(
    source: str, debug_table: bytes | None = None, inputs: bytes | None = None
) -> bytes:
    """The bytes the runner waits for: a header line with the length, then the source; for a
    debug run the header also gives the length of the table that follows the source. A graph
    run's inputs (UTF-8 JSON of an object) add a last header field `inputs=<length>`, and
    follow the source (and the table): the runner decodes them as JSON data, never as code."""
    body = source.encode("utf-8", "surrogatepass")
    lengths = b" %d" % len(body)
    if debug_table is not None:
        lengths += b" %d" % len(debug_table)
        body += debug_table
    if inputs is not None:
        lengths += b" " + INPUTS_FIELD + b"%d" % len(inputs)
        body += inputs
    return HEADER_MAGIC + lengths + b"\n" + body


class FrameDecoder:
    """Splits Docker's multiplexed stream (tty off) into (stream, payload) pieces.

    Payloads are yielded as soon as any of their bytes arrive, not when the frame is complete,
    so a partial line reaches the user without waiting for the rest of a large frame.
    """

    def __init__(self) -> None:
        self._header = b""
        self._stream = STDOUT
        self._remaining = 0

    def feed(self, data: bytes) -> Iterator[tuple[str, bytes]]:
        view = memoryview(data)
        while view:
            if self._remaining == 0:
                need = _FRAME_HEADER.size - len(self._header)
                self._header += bytes(view[:need])
                view = view[need:]
                if len(self._header) < _FRAME_HEADER.size:
                    return
                stream_id, self._remaining = _FRAME_HEADER.unpack(self._header)
                self._header = b""
                self._stream = _STREAM_NAMES.get(stream_id, STDERR)
                continue
            piece = bytes(view[: self._remaining])
            view = view[len(piece) :]
            self._remaining -= len(piece)
            yield self._stream, piece


# The script's sys.stderr travels in the stdout pipe, framed, so that the two streams keep the
# order they were written in (sandbox_image/script_output.py: the writing side). The marker is 20
# bytes, 16 of them random (drawn once, the same in every container, written as hex so that no file
# of the image holds its bytes): no output holds it by accident, however it is written (print,
# os.write, a child process), so nothing printed turns into stderr or ends the run.
STDERR_FRAME_MAGIC = bytes.fromhex("1e4e45580b70553470d3415939080dec87b433b4")
_STDERR_FRAME_HEADER_BYTES = len(STDERR_FRAME_MAGIC) + 2
# The exit record: a stderr frame header whose length is one no stderr frame has (they carry at
# most PIPE_BUF bytes), then the exit code, flags and the side channel's byte count
# (sandbox_image/runner.py writes it; docs/interfaces.md, "The exit record").
EXIT = "exit"
_EXIT_RECORD_LENGTH = 0xFFFF
_EXIT_RECORD_BODY = struct.Struct(">BBQ")
_EXIT_RECORD_MEMORY = 1
_EXIT_RECORD_SUPERVISOR = 2
_SIDE_BYTES_UNKNOWN = 2**64 - 1


@dataclass(frozen=True)
class ExitRecord:
    """How the script ended, as the runner reports it: `code` (the process's exit status),
    `memory` (the sandbox's memory cgroup OOM-killed a process), `side_bytes` (the side-channel
    bytes written before it; None: only the end of the stream completes them) and `supervisor`
    (PID 1 wrote it after its child ended, rather than the script's own process at its end)."""

    code: int
    memory: bool
    side_bytes: int | None
    supervisor: bool

    @classmethod
    def decode(cls, body: bytes) -> ExitRecord:
        code, flags, side_bytes = _EXIT_RECORD_BODY.unpack(body)
        return cls(
            code=code,
            memory=bool(flags & _EXIT_RECORD_MEMORY),
            side_bytes=None if side_bytes == _SIDE_BYTES_UNKNOWN else side_bytes,
            supervisor=bool(flags & _EXIT_RECORD_SUPERVISOR),
        )


class StderrFrameSplitter:
    """Splits the container's stdout into stdout, the stderr frames it carries and exit records
    (yielded as (EXIT, ExitRecord)).

    Only the 20-byte marker starts a frame, which no output holds by accident; a script that
    writes it on purpose can relabel its own output, or end its own run, nothing more. A possible
    start of a frame at the end of a piece is held until the next piece (or `finish`) says what
    it is.
    """

    def __init__(self) -> None:
        self._held = b""
        self._stderr_left = 0

    def feed(self, data: bytes) -> Iterator[tuple[str, Any]]:
        if self._held:
            data, self._held = self._held + data, b""
        position, end = 0, len(data)
        while position < end:
            if self._stderr_left:
                piece = data[position : position + self._stderr_left]
                self._stderr_left -= len(piece)
                position += len(piece)
                yield STDERR, piece
                continue
            start = data.find(STDERR_FRAME_MAGIC, position)
            if start < 0:
                keep = _partial_magic_at_end(data, position)
                if end - keep > position:
                    yield STDOUT, data[position : end - keep]
                self._held = data[end - keep :]
                return
            if start > position:
                yield STDOUT, data[position:start]
            if end - start < _STDERR_FRAME_HEADER_BYTES:
                self._held = data[start:]
                return
            length_at = start + len(STDERR_FRAME_MAGIC)
            length = int.from_bytes(data[length_at : length_at + 2], "big")
            position = start + _STDERR_FRAME_HEADER_BYTES
            if length != _EXIT_RECORD_LENGTH:
                self._stderr_left = length
                continue
            if end - position < _EXIT_RECORD_BODY.size:
                self._held = data[start:]
                return
            yield EXIT, ExitRecord.decode(data[position : position + _EXIT_RECORD_BODY.size])
            position += _EXIT_RECORD_BODY.size

    def finish(self) -> Iterator[tuple[str, bytes]]:
        """What is still held when the stream ends: it was stdout after all."""
        if self._held:
            held, self._held = self._held, b""
            yield STDOUT, held


def _partial_magic_at_end(data: bytes, start: int) -> int:
    """How many bytes at the end of data[start:] could begin the frame magic."""
    for size in range(min(len(STDERR_FRAME_MAGIC) - 1, len(data) - start), 0, -1):
        if STDERR_FRAME_MAGIC.startswith(data[-size:]):
            return size
    return 0


def coalesce(pieces: Iterable[tuple[str, AnyStr]]) -> list[tuple[str, AnyStr]]:
    """Merge consecutive pieces of the same stream: fewer, larger deliveries (bytes or text)."""
    merged: list[tuple[str, AnyStr]] = []
    for stream, payload in pieces:
        if merged and merged[-1][0] == stream and stream not in (DEBUG, EXIT):
            merged[-1] = (stream, merged[-1][1] + payload)
        elif payload:
            merged.append((stream, payload))
    return merged


_TRACEBACK_START = "Traceback (most recent call last):"
_MAIN_FRAME = re.compile(rf'^  File "{re.escape(SCRIPT_FILENAME)}", line (\d+)', re.MULTILINE)


def error_line_from_stderr(stderr_tail: str) -> int | None:
    """The main.py line of the innermost main.py frame of the last traceback on stderr.

    The runner prints tracebacks with only main.py's frames (and SyntaxError as
    ``File "main.py", line N``), so the last such frame after the last traceback header is the
    line to blame. Returns None when there is no traceback to read.
    """
    start = stderr_tail.rfind(_TRACEBACK_START)
    if start < 0:
        # A SyntaxError has no "Traceback" header when nothing ran.
        start = 0
    lines = [int(m.group(1)) for m in _MAIN_FRAME.finditer(stderr_tail, start)]
    return lines[-1] if lines else None


def last_exception_name(stderr_tail: str) -> str | None:
    """The exception type on the last line of a traceback ("MemoryError"), if there is one."""
    if _TRACEBACK_START not in stderr_tail:
        return None
    for line in reversed(stderr_tail.rstrip("\n").splitlines()):
        if line and not line.startswith(" "):
            return line.split(":", 1)[0].strip()
    return None
