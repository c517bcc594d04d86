"""A run's output on its way to the client: coalesced into ordered `run.output` messages.

A chunk goes out as soon as the previous send finished and FLUSH_INTERVAL_SECONDS have passed
since it, so a quiet program's first line costs no extra latency while a chatty one is batched
into few, large messages. A debug run's `trace` and `paused` events travel in the same chunks, in
order with the output around them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from execution import dispatch

logger = logging.getLogger("execution.worker")

CHUNK_BYTES = 32 * 1024  # one run.output message carries at most about this much text
HIGH_WATER_BYTES = 128 * 1024  # the sandbox's reader waits while this much is unsent
# A steady stream goes out at most this often, so it travels in few, large messages (each
# message costs Redis round trips, a WebSocket frame and a handler call); output after a
# quiet spell still goes out at once.
FLUSH_INTERVAL_SECONDS = 0.005
# What a debug event counts for in a chunk's size (its text is small and bounded).
EVENT_CHARS = 256


def event_chars(event: dict[str, Any]) -> int:
    """What an event counts for in a message's size: a picture its base64 text, a table its
    cells (both bounded by the side channel's frame limit), anything else a small constant."""
    if event["type"] != "display":
        return EVENT_CHARS
    data = event["data"]
    if isinstance(data, str):
        return len(data)
    return EVENT_CHARS + sum(len(str(cell)) for row in data["rows"] for cell in row)


class OutputStreamer:
    """Coalesces (stream, text) pieces into ordered run.output messages, with backpressure."""

    def __init__(
        self,
        layer: Any,
        reply_to: str,
        run_id: str,
        after: asyncio.Future[Any] | None = None,
        sent: asyncio.Event | None = None,
        on_lost: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._after = after  # output must follow this send (`run.started`) on the reply channel
        self.sent = sent or asyncio.Event()  # set once the first output message has gone
        self.layer = layer
        self.reply_to = reply_to
        self.run_id = run_id
        self._pending: list[list[Any]] = []  # [stream, text] or [event type, event]
        self._pending_trace: list[Any] | None = None  # the unsent trace event, if any
        self._pending_chars = 0
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._closing = False
        self._broken = False
        self._on_lost = on_lost  # the channel layer failed: nobody will see this run's output
        self._task = asyncio.create_task(self._flush_loop())

    async def on_output(self, stream: str, text: str) -> None:
        if not text or self._broken:
            return
        if self._pending and self._pending[-1][0] == stream:
            self._pending[-1][1] += text
        else:
            self._pending.append([stream, text])
        self._pending_chars += len(text)
        self._wake.set()
        if self._pending_chars >= HIGH_WATER_BYTES:
            self._drained.clear()
            await self._drained.wait()

    async def on_event(self, event: dict[str, Any]) -> None:
        """A side-channel event (`display`; a debug run's `trace` or `paused`), in order with
        the output around it.

        Trace events not sent yet merge into the newest one, so a chatty run (or a script
        writing its own frames) sends at most one per message: showing a count or a value a
        little later than it happened is harmless, showing it before the output that came
        first would not be.
        """
        if self._broken:
            return
        if event["type"] == "trace":
            if self._pending_trace is not None:
                merged = self._pending_trace[1]
                self._pending.remove(self._pending_trace)
                self._pending_chars -= EVENT_CHARS
                merged["counts"].update(event["counts"])
                merged["values"].update(event["values"])
                merged["current"] = event["current"]
                event = merged
            self._pending_trace = ["trace", event]
            self._pending.append(self._pending_trace)
        else:
            self._pending.append([event["type"], event])
        self._pending_chars += event_chars(event)
        self._wake.set()
        if self._pending_chars >= HIGH_WATER_BYTES:
            self._drained.clear()
            await self._drained.wait()

    def _take_batch(self) -> list[list[Any]]:
        batch: list[list[Any]] = []
        size = 0
        while self._pending and size < CHUNK_BYTES:
            stream, text = self._pending[0]
            if isinstance(text, dict):
                if self._pending[0] is self._pending_trace:
                    self._pending_trace = None
                batch.append(self._pending.pop(0))
                size += event_chars(text)
                continue
            room = CHUNK_BYTES - size
            if len(text) <= room:
                self._pending.pop(0)
                batch.append([stream, text])
                size += len(text)
            else:
                batch.append([stream, text[:room]])
                self._pending[0][1] = text[room:]
                size += room
        self._pending_chars -= size
        return batch

    async def _flush_loop(self) -> None:
        if self._after is not None:
            await self._after
        last_send = -FLUSH_INTERVAL_SECONDS
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            pause = last_send + FLUSH_INTERVAL_SECONDS - time.monotonic()
            if pause > 0 and self._pending_chars < CHUNK_BYTES and not self._closing:
                await asyncio.sleep(pause)
            last_send = time.monotonic()
            batch = self._take_batch()
            message = {"type": dispatch.OUTPUT, "run_id": self.run_id, "chunks": batch}
            try:
                delivered = await dispatch.send(self.layer, self.reply_to, message)
            except Exception as exc:
                if not dispatch.is_connection_error(exc):
                    raise
                logger.warning("run %s: output lost with the channel layer: %s", self.run_id, exc)
                delivered = False
                if self._on_lost is not None:
                    await self._on_lost()
            self.sent.set()
            if not delivered:
                # Nobody has read the reply channel for a long time: stop producing traffic.
                self._broken = True
                self._pending.clear()
                self._pending_trace = None
                self._pending_chars = 0
            if self._pending_chars < HIGH_WATER_BYTES:
                self._drained.set()

    async def close(self) -> None:
        """Send everything still pending."""
        self._closing = True
        self._wake.set()
        await self._task
