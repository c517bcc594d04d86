"""The pool's side of the sandbox's side channel (Docker's stream 2): the runner's frames of
every run (`display`: docs/rich_output.md; a graph's `result`: result_frame.py) and of debug runs
(`trace`, `paused`: docs/debugging.md), and the control frames written to a debug run's stdin.

The runner's helper lives in the script's own process, so a script can write to the side channel
too. Nothing here trusts it: every frame is bounded, parsed and checked against the run's own
table, and a bad one ends that run (reason `side_channel`). A forged but well-formed frame can
only misreport the script's own run: it names the run's own nodes and edges, its pictures and
tables are its own output (counted in its output limit), and its strings reach the page as text.

Every event leaves here portable (execution/portable_json.py): whatever JSON a frame carries,
the channel layer, the socket and the browser can carry it.

A frame waits for the stdout bytes written before it (`out`). An honest runner's frames are due
at once or within Docker's copy of the stdout pipe; a script's own frames may name output that
never comes. Either way the pool holds at most MAX_HELD_FRAMES frames (MAX_HELD_BYTES) waiting:
past that the oldest goes out early, ahead of output that has not arrived. That costs only the
order of the script's own output, so a script that shows a lot is never taken for an attack.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from execution.debug_table import DebugTable, is_int
from execution.portable_json import NotPortable, portable

from .display_frame import MAX_DISPLAY_FRAME_BYTES, display_bytes, display_event
from .result_frame import MAX_RESULT_FRAME_BYTES, result_event

FRAME_MAGIC = b"\x1eNE3"
_HEADER_BYTES = len(FRAME_MAGIC) + 4
MAX_PAYLOAD_BYTES = 64 * 1024  # a trace or paused frame
# Frames waiting for the stdout bytes they follow (see the module docstring).
MAX_HELD_FRAMES = 256
MAX_HELD_BYTES = 8 * 1024 * 1024
MAX_VARIABLES = 200
MAX_NAME_CHARS = 100
MAX_REPR_CHARS = 1000
MAX_COUNT = 2**53
PAUSE_REASONS = ("breakpoint", "step", "exception")
# What in a frame's text can parse to a value that is not portable (portable_json.py): a number
# of 16 digits or more (past 2^53, or past a double), an exponent of 3 digits (1e999 reads as
# infinity), a surrogate (escaped, or as the UTF-8 bytes json.loads lets through). JSON keys are
# text, and the fields an event keeps are flat. A frame without any is portable as parsed.
_MAY_NOT_BE_PORTABLE = re.compile(rb"\d{16}|[eE][+-]?\d{3}|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
SCOPES = ("global", "local")

# Kinds of the frames written to the runner's stdin in a debug run.
STDIN_DATA = b"D"
STDIN_EOF = b"E"
CONTROL = b"C"


class SideChannelError(Exception):
    """The side channel carried something the runner never sends; the message is for the user."""


def _no_constant(name: str) -> Any:
    # NaN and Infinity: Python's json reads them, but they are not JSON and no browser parses them.
    raise ValueError(f"{name} is not JSON")


def stdin_frame(kind: bytes, payload: bytes = b"") -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def control_frame(control: dict[str, Any]) -> bytes:
    return stdin_frame(CONTROL, json.dumps(control, separators=(",", ":")).encode())


class SideChannel:
    """Reads the side channel of one run and puts its events in order with stdout.

    Each runner frame says how many stdout-pipe bytes (`out`) the script had written when it was
    made; `split_stdout` hands a frame on exactly after that many, so a picture, a value or a
    pause never shows before the output that came first. Events are the WebSocket's `display`
    (with the script `line` instead of a node id), `trace` and `paused` (without run_id), with the
    run's own node and edge ids. `table` is a debug run's (None: a plain run, display only).
    A display event carries `bytes`: what it counts toward the output limit (display_bytes).
    """

    def __init__(self, table: DebugTable | None = None) -> None:
        self.table = table
        self._buffer = bytearray()
        self._held: deque[tuple[int, dict[str, Any], int]] = deque()  # (out, event, size)
        self._held_bytes = 0
        # Frames let go early (too many held), to go out before anything else.
        self._early: deque[dict[str, Any]] = deque()
        self._stdout_bytes = 0
        self._result_seen = False  # a run has at most one `result`
        self.paused = False  # a `paused` went out and no resume came since

    # --- the side channel ---
    def feed(self, data: bytes) -> None:
        """Takes side-channel bytes; raises SideChannelError on anything but whole, valid frames
        (a frame cut short stays buffered until the rest arrives)."""
        self._buffer += data
        while len(self._buffer) >= _HEADER_BYTES:
            if self._buffer[: len(FRAME_MAGIC)] != FRAME_MAGIC:
                raise SideChannelError(
                    "The sandbox's side channel carried bytes that are not a frame."
                )
            size = int.from_bytes(self._buffer[len(FRAME_MAGIC) : _HEADER_BYTES], "big")
            if size > MAX_DISPLAY_FRAME_BYTES:
                raise SideChannelError(
                    f"A side-channel frame of {size} bytes is over the"
                    f" {MAX_DISPLAY_FRAME_BYTES} byte limit."
                )
            if len(self._buffer) < _HEADER_BYTES + size:
                return
            payload = bytes(self._buffer[_HEADER_BYTES : _HEADER_BYTES + size])
            del self._buffer[: _HEADER_BYTES + size]
            out, event = self._event(payload)
            self._held.append((max(out, self._held[-1][0] if self._held else 0), event, size))
            self._held_bytes += size
            while len(self._held) > MAX_HELD_FRAMES or self._held_bytes > MAX_HELD_BYTES:
                _, early, early_size = self._held.popleft()
                self._held_bytes -= early_size
                self._early.append(early)
        if self._buffer and not FRAME_MAGIC.startswith(bytes(self._buffer[: len(FRAME_MAGIC)])):
            raise SideChannelError("The sandbox's side channel carried bytes that are not a frame.")

    def _event(self, payload: bytes) -> tuple[int, dict[str, Any]]:
        try:
            frame = json.loads(payload, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            raise SideChannelError("A side-channel frame is not valid JSON.") from None
        if not isinstance(frame, dict) or not is_int(frame.get("out")) or frame["out"] < 0:
            raise SideChannelError("A side-channel frame has no valid position in the output.")
        event = self._checked(frame, len(payload))
        if _MAY_NOT_BE_PORTABLE.search(payload):
            try:
                # The one place every value of a run is made to travel (portable_json.py).
                event = portable(event)
            except NotPortable as exc:
                raise SideChannelError(f"A side-channel frame carries {exc}.") from None
        if event["type"] == "display":
            event["bytes"] = display_bytes(event["data"])
        return frame["out"], event

    def _checked(self, frame: dict[str, Any], size: int) -> dict[str, Any]:
        """The event of a parsed frame, checked against its schema and the run's table."""
        kind = frame.get("t")
        if kind == "display":
            try:
                return display_event(frame)
            except ValueError as exc:
                raise SideChannelError(f"A display frame is malformed: {exc}") from None
        if kind == "result":
            if self._result_seen:
                raise SideChannelError("A second result frame.")
            if size > MAX_RESULT_FRAME_BYTES:
                raise SideChannelError(
                    f"A result frame of {size} bytes is over the {MAX_RESULT_FRAME_BYTES} byte"
                    " limit."
                )
            self._result_seen = True
            try:
                return result_event(frame)
            except ValueError as exc:
                raise SideChannelError(f"A result frame is malformed: {exc}") from None
        if size > MAX_PAYLOAD_BYTES:
            raise SideChannelError(
                f"A debugger frame of {size} bytes is over the {MAX_PAYLOAD_BYTES} byte limit."
            )
        if self.table is not None and kind == "trace":
            return self._trace(frame, self.table)
        if self.table is not None and kind == "paused":
            return self._paused(frame, self.table)
        raise SideChannelError(f"Unknown side-channel frame {str(kind)[:20]!r}.")

    def _node(self, table: DebugTable, value: Any, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if is_int(value) and 0 <= value < len(table.nodes):
            return table.nodes[value]
        raise SideChannelError("A debugger frame names a node the script does not have.")

    def _index(self, key: Any, ids: tuple[str, ...]) -> str:
        if isinstance(key, str) and key.isdigit() and len(key) < 10 and int(key) < len(ids):
            return ids[int(key)]
        raise SideChannelError("A debugger frame names a node or wire the script does not have.")

    def _trace(self, frame: dict[str, Any], table: DebugTable) -> dict[str, Any]:
        counts, values = frame.get("counts", {}), frame.get("values", {})
        if not isinstance(counts, dict) or not isinstance(values, dict):
            raise SideChannelError("A trace frame's counts and values must be objects.")
        if not all(is_int(n) and 0 <= n < MAX_COUNT for n in counts.values()):
            raise SideChannelError("A trace frame's counts must be whole numbers.")
        if not all(isinstance(v, str) and len(v) <= MAX_REPR_CHARS for v in values.values()):
            raise SideChannelError("A trace frame's values must be short strings.")
        return {
            "type": "trace",
            "counts": {self._index(k, table.nodes): n for k, n in counts.items()},
            "values": {self._index(e, table.edges): v for e, v in values.items()},
            "current": self._node(table, frame.get("current"), nullable=True),
        }

    def _paused(self, frame: dict[str, Any], table: DebugTable) -> dict[str, Any]:
        reason = frame.get("reason")
        if reason not in PAUSE_REASONS:
            raise SideChannelError("A paused frame has an unknown reason.")
        variables = frame.get("variables", [])
        if not isinstance(variables, list) or len(variables) > MAX_VARIABLES:
            raise SideChannelError(f"A paused frame may list at most {MAX_VARIABLES} variables.")
        return {
            "type": "paused",
            "node_id": self._node(table, frame.get("node"), nullable=reason == "exception"),
            "reason": reason,
            "variables": [_variable(v) for v in variables],
        }

    # --- ordering with stdout ---
    def split_stdout(self, payload: bytes) -> Iterator[bytes | dict[str, Any]]:
        """A piece of the container's stdout pipe, with the events due inside or before it."""
        while self._early:
            yield self._release()
        start = 0
        while self._held and self._held[0][0] - self._stdout_bytes <= len(payload) - start:
            cut = start + max(0, self._held[0][0] - self._stdout_bytes)
            if cut > start:
                yield payload[start:cut]
                self._stdout_bytes += cut - start
                start = cut
            yield self._release()
        if start < len(payload):
            self._stdout_bytes += len(payload) - start
            yield payload[start:]

    def due(self) -> Iterator[dict[str, Any]]:
        """Events whose output has all arrived already, and those let go early (call after
        `feed`)."""
        while self._early or (self._held and self._held[0][0] <= self._stdout_bytes):
            yield self._release()

    def finish(self) -> Iterator[dict[str, Any]]:
        """The run is over: whatever is held goes out (a frame cut short by a kill is dropped)."""
        while self._early or self._held:
            yield self._release()

    def _release(self) -> dict[str, Any]:
        if self._early:
            event = self._early.popleft()
        else:
            _, event, size = self._held.popleft()
            self._held_bytes -= size
        if event["type"] == "paused":
            if self.paused:
                raise SideChannelError("The run paused again without being resumed.")
            self.paused = True
        return event


def _variable(value: Any) -> dict[str, str]:
    if (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("type"), str)
        and isinstance(value.get("repr"), str)
        and value.get("scope") in SCOPES
        and len(value["name"]) <= MAX_NAME_CHARS
        and len(value["type"]) <= MAX_NAME_CHARS
        and len(value["repr"]) <= MAX_REPR_CHARS
    ):
        return {k: value[k] for k in ("name", "type", "repr", "scope")}
    raise SideChannelError("A paused frame lists a variable that is not name, type, repr, scope.")
