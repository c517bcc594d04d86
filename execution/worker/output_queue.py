"""A run's output waiting to be sent: ordered chunks, and trace events held to their rate.

Pure logic (the time is passed in), used by output_streamer.OutputStreamer.

Text of one stream written in a row joins one chunk. Trace events not sent yet merge into the
newest one, placed after the output that came before it: showing a count or a value a little
later than it happened is harmless, showing it before the output that came first would not be.
A trace goes out at most once per TRACE_INTERVAL_SECONDS (docs/debugging.md), whatever the
runner (or a script writing its own frames) sends; while it waits, the output after it goes on
without it. Two traces never wait: the one before a `paused` (the pause shows the state it
stopped in) and the last one when the run ends (`final`).
"""

from __future__ import annotations

import json
from typing import Any

CHUNK_BYTES = 32 * 1024  # one run.output message carries at most about this much text
TRACE_INTERVAL_SECONDS = 0.033
# What a debug event counts for in a chunk's size (its text is small and bounded).
EVENT_CHARS = 256


def event_chars(event: dict[str, Any]) -> int:
    """What an event counts for in a message's size: a picture its base64 text, a table its
    cells (both bounded by the side channel's frame limit), a graph's result its JSON, anything
    else a small constant."""
    if event["type"] == "result":  # once per run, up to 1 MiB: counted as its JSON
        return EVENT_CHARS + len(json.dumps(event["outputs"], ensure_ascii=False))
    if event["type"] != "display":
        return EVENT_CHARS
    data = event["data"]
    if isinstance(data, str):
        return len(data)
    return EVENT_CHARS + sum(len(str(cell)) for row in data["rows"] for cell in row)


class OutputQueue:
    """Chunks `[stream, text]` and `[event type, event]` in order, ready to go as messages."""

    def __init__(self) -> None:
        self.chunks: list[list[Any]] = []
        self.chars = 0  # what the chunks count for (text length, event_chars)
        self._trace: list[Any] | None = None  # the unsent trace's chunk, if any
        self._trace_now = False  # a `paused` follows it: it goes with the next batch
        self._trace_sent_at: float | None = None

    def add_text(self, stream: str, text: str) -> None:
        if self.chunks and self.chunks[-1][0] == stream:
            self.chunks[-1][1] += text
        else:
            self.chunks.append([stream, text])
        self.chars += len(text)

    def add_event(self, event: dict[str, Any]) -> None:
        if event["type"] == "trace":
            if self._trace is not None:
                merged = self._trace[1]
                self.chunks.remove(self._trace)
                self.chars -= EVENT_CHARS
                merged["counts"].update(event["counts"])
                merged["values"].update(event["values"])
                merged["current"] = event["current"]
                event = merged
            self._trace = ["trace", event]
            self.chunks.append(self._trace)
        else:
            if event["type"] == "paused" and self._trace is not None:
                self._trace_now = True
            self.chunks.append([event["type"], event])
        self.chars += event_chars(event)

    def clear(self) -> None:
        self.chunks.clear()
        self.chars = 0
        self._trace = None
        self._trace_now = False

    def trace_due_at(self) -> float | None:
        """When the waiting trace may go (None: no trace waits, or it may go at once)."""
        if self._trace is None or self._trace_now or self._trace_sent_at is None:
            return None
        return self._trace_sent_at + TRACE_INTERVAL_SECONDS

    def sendable(self, now: float, final: bool = False) -> bool:
        """Whether a batch taken now would carry anything."""
        if not self.chunks:
            return False
        if final or self._trace is None or len(self.chunks) > 1:
            return True
        due = self.trace_due_at()
        return due is None or now >= due

    def take_batch(self, now: float, final: bool = False) -> list[list[Any]]:
        """The next message's chunks (about CHUNK_BYTES at most), in order; a trace whose time
        has not come stays behind (`final`: the run is over, it goes too)."""
        due = self.trace_due_at()
        hold = not final and due is not None and now < due
        batch: list[list[Any]] = []
        size = 0
        index = 0
        while index < len(self.chunks) and size < CHUNK_BYTES:
            chunk = self.chunks[index]
            kind, body = chunk
            if isinstance(body, dict):
                if chunk is self._trace:
                    if hold:
                        index += 1
                        continue
                    self._trace = None
                    self._trace_now = False
                    self._trace_sent_at = now
                del self.chunks[index]
                batch.append(chunk)
                size += event_chars(body)
                continue
            room = CHUNK_BYTES - size
            if len(body) <= room:
                del self.chunks[index]
                batch.append(chunk)
                size += len(body)
            else:
                batch.append([kind, body[:room]])
                chunk[1] = body[room:]
                size += room
        self.chars -= size
        return batch
