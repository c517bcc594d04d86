"""One run's output, read from the container's attach stream to its end.

Docker's frames become the script's stdout and its framed stderr (in the order the script wrote
them), decoded as UTF-8 and held to the run's output cap; the side channel's events are placed
among them (side_channel.py): every run's `display` (counted in the output limit like text), a
debug run's `trace` and `paused`. The stderr tail is kept for the exit reason.

The run ends at the runner's exit record (protocol.ExitRecord) once the side-channel bytes it
counts have arrived too, without waiting for the container to stop: the stdout pipe carries the
record after everything written to it before, and the side channel's frames are counted. A
record that is never complete (forged by the script, or cut short) ends nothing: the stream's
end does, as without one. Output after a record is not the run's; what arrives before the record
is complete is still delivered, so a record cannot hide output written before it, nor after it
while the run goes on.

A display counts toward the output limit what it costs to send (display_frame.display_bytes),
so a run that shows too much ends by `output_limit` like one that prints too much, with what it
showed until then delivered. A bad side-channel frame ends the run (`side_channel`); the rest of
the side channel is dropped then, never delivered as text.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

from execution.exit_reasons import ExitReason

from .protocol import (
    DEBUG,
    EXIT,
    STDERR,
    STDOUT,
    ExitRecord,
    FrameDecoder,
    StderrFrameSplitter,
    coalesce,
)
from .side_channel import SideChannel, SideChannelError
from .stream import AttachProtocol

OnOutput = Callable[[str, str], Awaitable[None]]
# A side-channel event (`display`, a debug run's `trace` / `paused`), in order with the output.
OnEvent = Callable[[dict[str, Any]], Awaitable[None]]
STDERR_TAIL_CHARS = 16 * 1024


class OutputPump:
    def __init__(
        self,
        protocol: AttachProtocol,
        frames: FrameDecoder,
        budget: int,
        side: SideChannel | None,
        on_output: OnOutput,
        on_event: OnEvent | None,
        *,
        force: Callable[..., None],
        paused: Callable[[], None],
    ) -> None:
        self._protocol = protocol
        self._frames = frames
        self._stderr_frames = StderrFrameSplitter()
        self._budget = budget
        self._side = side
        self._on_output = on_output
        self._on_event = on_event
        self._force = force  # ends the run: force(reason, message=None)
        self._paused = paused  # a `paused` event went out: the run's clock stops
        self._decoders = {
            STDOUT: codecs.getincrementaldecoder("utf-8")("replace"),
            STDERR: codecs.getincrementaldecoder("utf-8")("replace"),
        }
        self._capped = False
        self.output_bytes = 0  # stdout + stderr bytes delivered (at most the budget)
        self.stderr_tail = ""
        self.ended_at: float | None = None
        self._side_bytes = 0  # side-channel bytes received, valid or not
        self._record: ExitRecord | None = None  # the latest exit record seen
        self.exit_record: ExitRecord | None = None  # the record that ended the run, if one did

    def _record_complete(self, at_eof: bool) -> bool:
        record = self._record
        if record is None:
            return False
        if record.side_bytes is None:
            return at_eof
        return self._side_bytes >= record.side_bytes

    async def run(self) -> None:
        while True:
            data = await self._protocol.read()
            if not data:
                if self._record_complete(at_eof=True):
                    self.exit_record = self._record
                break
            for stream, payload in coalesce(self._split(self._frames.feed(data))):
                if stream == DEBUG:
                    await self._event(payload)
                elif stream == EXIT:
                    self._record = payload
                elif not self._capped:  # past the cap: drain the socket until the kill lands
                    await self._deliver(stream, payload)
            if self._record_complete(at_eof=False):
                self.exit_record = self._record
                break
        self.ended_at = time.monotonic()
        if self._capped:
            return
        # Bytes held as a possible frame start came after the record when one ended the run.
        for stream, payload in self._stderr_frames.finish() if self.exit_record is None else ():
            if self.output_bytes + len(payload) <= self._budget:
                await self._deliver(stream, payload)
        for stream, decoder in self._decoders.items():
            tail = decoder.decode(b"", final=True)
            if tail:
                await self._on_output(stream, tail)
        if self._side is not None:
            try:
                for event in self._side.finish():
                    await self._event(event)
            except SideChannelError as exc:
                self._side_failed(exc)

    def _split(self, pieces: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, Any]]:
        """Docker's stdout, split into the script's stdout and its framed stderr; the side channel
        (Docker's stderr) becomes events placed among them."""
        splitter = self._stderr_frames
        for stream, payload in pieces:
            side = self._side
            if stream != STDOUT:
                # Counted even once the side channel failed: an exit record counts them all.
                self._side_bytes += len(payload)
            if stream == STDOUT:
                if side is None:
                    yield from splitter.feed(payload)
                    continue
                done = 0  # bytes of payload handed on
                try:
                    for part in side.split_stdout(payload):
                        if isinstance(part, bytes):
                            done += len(part)
                            yield from splitter.feed(part)
                        else:
                            yield DEBUG, part
                except SideChannelError as exc:
                    self._side_failed(exc)
                    yield from splitter.feed(payload[done:])
            elif side is not None:
                try:
                    side.feed(payload)
                    for event in side.due():
                        yield DEBUG, event
                except SideChannelError as exc:
                    self._side_failed(exc)
            # else: the side channel failed; its bytes are nobody's output (never shown).

    def _side_failed(self, exc: SideChannelError) -> None:
        self._side = None
        self._force(
            ExitReason.SIDE_CHANNEL,
            f"Stopped: the sandbox's side channel carried a bad frame ({exc})"
            " Did the script write to it?",
        )

    async def _deliver(self, stream: str, payload: bytes) -> None:
        over = self.output_bytes + len(payload) > self._budget
        if over:
            payload = payload[: self._budget - self.output_bytes]
        self.output_bytes += len(payload)
        text = self._decoders[stream].decode(payload)
        if stream == STDERR:
            self.stderr_tail = (self.stderr_tail + text)[-STDERR_TAIL_CHARS:]
        if text:
            await self._on_output(stream, text)
        if over:
            self._capped = True
            self._force(ExitReason.OUTPUT_LIMIT)

    async def _event(self, event: dict[str, Any]) -> None:
        if self._capped or self._on_event is None:
            return
        if event["type"] == "display":
            size = event.pop("bytes")
            if self.output_bytes + size > self._budget:
                self._capped = True
                self._force(ExitReason.OUTPUT_LIMIT)
                return
            self.output_bytes += size
        elif event["type"] == "paused":
            self._paused()
        await self._on_event(event)
