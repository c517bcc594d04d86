"""The pool's side of a debug run (docs/debugging.md): the table sent with the script, the
runner's frames on the side channel, and the control frames written to the runner's stdin.

The runner's helper lives in the script's own process, so a script can write to the side channel
too. Nothing here trusts it: every frame is bounded, parsed and checked against the run's own
table, and a bad one ends that run (reason `debug_channel`). A forged but well-formed frame can
only misreport the script's own run: it names the run's own nodes and edges, and its strings
reach the page as text.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

from execution.debug_table import DebugTable, is_int

FRAME_MAGIC = b"\x1eNE3"
_HEADER_BYTES = len(FRAME_MAGIC) + 4
MAX_PAYLOAD_BYTES = 64 * 1024
# Frames waiting for the stdout bytes they follow. An honest runner has one or two in flight.
MAX_HELD_FRAMES = 256
MAX_VARIABLES = 200
MAX_NAME_CHARS = 100
MAX_REPR_CHARS = 1000
MAX_COUNT = 2**53
PAUSE_REASONS = ("breakpoint", "step", "exception")
SCOPES = ("global", "local")

# Kinds of the frames written to the runner's stdin in a debug run.
STDIN_DATA = b"D"
STDIN_EOF = b"E"
CONTROL = b"C"


class DebugChannelError(Exception):
    """The side channel carried something the runner never sends; the message is for the user."""


def stdin_frame(kind: bytes, payload: bytes = b"") -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def control_frame(control: dict[str, Any]) -> bytes:
    return stdin_frame(CONTROL, json.dumps(control, separators=(",", ":")).encode())


class DebugChannel:
    """Reads the side channel of one debug run and puts its events in order with stdout.

    Each runner frame says how many stdout-pipe bytes (`out`) the script had written when it was
    made; `split_stdout` hands a frame on exactly after that many, so a value or a pause never
    shows before the output that came first. Events are the WebSocket's `trace` and `paused`
    (without run_id), with the run's own node and edge ids.
    """

    def __init__(self, table: DebugTable) -> None:
        self.table = table
        self._buffer = bytearray()
        self._held: deque[tuple[int, dict[str, Any]]] = deque()
        self._stdout_bytes = 0
        self.paused = False  # a `paused` went out and no resume came since

    # --- the side channel ---
    def feed(self, data: bytes) -> None:
        """Takes side-channel bytes; raises DebugChannelError on anything but whole, valid frames
        (a frame cut short stays buffered until the rest arrives)."""
        self._buffer += data
        while len(self._buffer) >= _HEADER_BYTES:
            if self._buffer[: len(FRAME_MAGIC)] != FRAME_MAGIC:
                raise DebugChannelError(
                    "The debugger's channel carried bytes that are not a frame."
                )
            size = int.from_bytes(self._buffer[len(FRAME_MAGIC) : _HEADER_BYTES], "big")
            if size > MAX_PAYLOAD_BYTES:
                raise DebugChannelError(
                    f"A debugger frame of {size} bytes is over the {MAX_PAYLOAD_BYTES} byte limit."
                )
            if len(self._buffer) < _HEADER_BYTES + size:
                return
            payload = bytes(self._buffer[_HEADER_BYTES : _HEADER_BYTES + size])
            del self._buffer[: _HEADER_BYTES + size]
            out, event = self._event(payload)
            if len(self._held) >= MAX_HELD_FRAMES:
                raise DebugChannelError(
                    "The debugger's frames ran far ahead of the script's output."
                )
            self._held.append((max(out, self._held[-1][0] if self._held else 0), event))
        if self._buffer and not FRAME_MAGIC.startswith(bytes(self._buffer[: len(FRAME_MAGIC)])):
            raise DebugChannelError("The debugger's channel carried bytes that are not a frame.")

    def _event(self, payload: bytes) -> tuple[int, dict[str, Any]]:
        try:
            frame = json.loads(payload)
        except (ValueError, RecursionError):
            raise DebugChannelError("A debugger frame is not valid JSON.") from None
        if not isinstance(frame, dict) or not is_int(frame.get("out")) or frame["out"] < 0:
            raise DebugChannelError("A debugger frame has no valid position in the output.")
        kind = frame.get("t")
        if kind == "trace":
            return frame["out"], self._trace(frame)
        if kind == "paused":
            return frame["out"], self._paused(frame)
        raise DebugChannelError(f"Unknown debugger frame {str(kind)[:20]!r}.")

    def _node(self, value: Any, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if is_int(value) and 0 <= value < len(self.table.nodes):
            return self.table.nodes[value]
        raise DebugChannelError("A debugger frame names a node the script does not have.")

    def _index(self, key: Any, ids: tuple[str, ...]) -> str:
        if isinstance(key, str) and key.isdigit() and len(key) < 10 and int(key) < len(ids):
            return ids[int(key)]
        raise DebugChannelError("A debugger frame names a node or wire the script does not have.")

    def _trace(self, frame: dict[str, Any]) -> dict[str, Any]:
        counts, values = frame.get("counts", {}), frame.get("values", {})
        if not isinstance(counts, dict) or not isinstance(values, dict):
            raise DebugChannelError("A trace frame's counts and values must be objects.")
        if not all(is_int(n) and 0 <= n < MAX_COUNT for n in counts.values()):
            raise DebugChannelError("A trace frame's counts must be whole numbers.")
        if not all(isinstance(v, str) and len(v) <= MAX_REPR_CHARS for v in values.values()):
            raise DebugChannelError("A trace frame's values must be short strings.")
        return {
            "type": "trace",
            "counts": {self._index(k, self.table.nodes): n for k, n in counts.items()},
            "values": {self._index(e, self.table.edges): v for e, v in values.items()},
            "current": self._node(frame.get("current"), nullable=True),
        }

    def _paused(self, frame: dict[str, Any]) -> dict[str, Any]:
        reason = frame.get("reason")
        if reason not in PAUSE_REASONS:
            raise DebugChannelError("A paused frame has an unknown reason.")
        variables = frame.get("variables", [])
        if not isinstance(variables, list) or len(variables) > MAX_VARIABLES:
            raise DebugChannelError(f"A paused frame may list at most {MAX_VARIABLES} variables.")
        return {
            "type": "paused",
            "node_id": self._node(frame.get("node"), nullable=reason == "exception"),
            "reason": reason,
            "variables": [_variable(v) for v in variables],
        }

    # --- ordering with stdout ---
    def split_stdout(self, payload: bytes) -> Iterator[bytes | dict[str, Any]]:
        """A piece of the container's stdout pipe, with the events due inside or before it."""
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
        """Events whose output has all arrived already (call after `feed`)."""
        while self._held and self._held[0][0] <= self._stdout_bytes:
            yield self._release()

    def finish(self) -> Iterator[dict[str, Any]]:
        """The run is over: whatever is held goes out (a frame cut short by a kill is dropped)."""
        while self._held:
            yield self._release()

    def _release(self) -> dict[str, Any]:
        event = self._held.popleft()[1]
        if event["type"] == "paused":
            if self.paused:
                raise DebugChannelError("The run paused again without being resumed.")
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
    raise DebugChannelError("A paused frame lists a variable that is not name, type, repr, scope.")
