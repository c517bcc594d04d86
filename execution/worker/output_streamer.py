"""A run's output on its way to the client: coalesced into ordered `run.output` messages.

A chunk goes out as soon as the previous send finished and FLUSH_INTERVAL_SECONDS have passed
since it, so a quiet program's first line costs no extra latency while a chatty one is batched
into few, large messages. Side-channel events (`display`, a debug run's `trace` and `paused`)
travel in the same chunks, in order with the output around them; trace events at most once per
output_queue.TRACE_INTERVAL_SECONDS (output_queue.py says how).

The worker never loses a run to its own encoder: a message the channel layer cannot encode (it
should not happen: events are made portable at the side channel) is sent again with each chunk
that cannot be encoded replaced by a line on stderr saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from execution import dispatch

from .output_queue import CHUNK_BYTES, OutputQueue

logger = logging.getLogger("execution.worker")

HIGH_WATER_BYTES = 128 * 1024  # the sandbox's reader waits while this much is unsent
# A steady stream goes out at most this often, so it travels in few, large messages (each
# message costs Redis round trips, a WebSocket frame and a handler call); output after a
# quiet spell still goes out at once.
FLUSH_INTERVAL_SECONDS = 0.005


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
        self._queue = OutputQueue()
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
        self._queue.add_text(stream, text)
        await self._added()

    async def on_event(self, event: dict[str, Any]) -> None:
        """A side-channel event (`display`; a debug run's `trace` or `paused`), in order with
        the output around it (traces merged and held to their rate: output_queue.py)."""
        if self._broken:
            return
        self._queue.add_event(event)
        await self._added()

    async def _added(self) -> None:
        self._wake.set()
        if self._queue.chars >= HIGH_WATER_BYTES:
            self._drained.clear()
            await self._drained.wait()

    async def _flush_loop(self) -> None:
        try:
            await self._flush()
        finally:
            # Closed (or failed): nothing more goes out, so nobody may wait for it to drain.
            self._broken = True
            self._drained.set()

    async def _flush(self) -> None:
        if self._after is not None:
            await self._after
        last_send = -FLUSH_INTERVAL_SECONDS
        queue = self._queue
        while True:
            if not queue.chunks and self._closing:
                return
            if not queue.sendable(time.monotonic(), final=self._closing):
                # Nothing, or only a trace waiting for its time: sleep until then or more comes.
                self._wake.clear()
                due = queue.trace_due_at()
                timeout = None if due is None else max(0.0, due - time.monotonic())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
                continue
            pause = last_send + FLUSH_INTERVAL_SECONDS - time.monotonic()
            if pause > 0 and queue.chars < CHUNK_BYTES and not self._closing:
                await asyncio.sleep(pause)
            last_send = time.monotonic()
            batch = queue.take_batch(last_send, final=self._closing)
            if not batch:
                continue
            try:
                delivered = await self._send(batch)
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
                queue.clear()
            if queue.chars < HIGH_WATER_BYTES:
                self._drained.set()

    async def _send(self, batch: list[list[Any]]) -> bool:
        message = {"type": dispatch.OUTPUT, "run_id": self.run_id, "chunks": batch}
        try:
            return await dispatch.send(self.layer, self.reply_to, message)
        except Exception as exc:
            if dispatch.is_connection_error(exc):
                raise
            encodable = self._encodable(batch)
            if encodable is None:
                raise
            logger.warning("run %s: output chunks not encodable: %r", self.run_id, exc)
            message["chunks"] = encodable
            return await dispatch.send(self.layer, self.reply_to, message)

    def _encodable(self, batch: list[list[Any]]) -> list[list[Any]] | None:
        """The batch with each chunk the layer cannot encode replaced by a line on stderr; None
        when every chunk encodes alone (then the encoder was not what failed)."""
        serialize = getattr(self.layer, "serialize", None)
        if serialize is None:
            return None
        replaced = False
        chunks: list[list[Any]] = []
        for kind, body in batch:
            try:
                serialize({"chunks": [[kind, body]]})
            except Exception as exc:
                replaced = True
                reason = f"{type(exc).__name__}: {exc}"[:200]
                chunks.append(["stderr", f"[A {kind} could not be sent: {reason}]\n"])
            else:
                chunks.append([kind, body])
        return chunks if replaced else None

    async def close(self) -> None:
        """Send everything still pending."""
        self._closing = True
        self._wake.set()
        await self._task
