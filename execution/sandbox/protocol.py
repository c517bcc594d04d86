"""Byte-level formats between the pool and a container: the runner's script header, Docker's
multiplexed attach stream, and the runner's traceback on stderr."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

HEADER_MAGIC = b"NE1"
# The runner's first stdout bytes: its interpreter now waits for a script.
READY_MARKER = b"NE1 READY\n"
SCRIPT_FILENAME = "main.py"
# The runner's exit code when RLIMIT_CPU ended the script (128 + SIGXCPU).
EXIT_CPU_LIMIT = 152

STDOUT = "stdout"
STDERR = "stderr"
# Docker's stream ids in the 8-byte frame header; 3 carries the engine's own errors.
_STREAM_NAMES = {1: STDOUT, 2: STDERR, 3: STDERR}
_FRAME_HEADER = struct.Struct(">BxxxL")


def encode_script(source: str) -> bytes:
    """The bytes the runner waits for: a header line with the length, then the source."""
    body = source.encode("utf-8", "surrogatepass")
    return HEADER_MAGIC + b" %d\n" % len(body) + body


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


_TRACEBACK_START = "Traceback (most recent call last):"
_MAIN_FRAME = re.compile(r'^  File "main\.py", line (\d+)', re.MULTILINE)


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
