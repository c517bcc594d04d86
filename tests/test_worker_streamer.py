"""Output coalescing in the pool worker, and run claims (pure logic with an in-memory layer)."""

from __future__ import annotations

import asyncio

from channels.exceptions import ChannelFull

from execution import dispatch
from execution.worker.output_streamer import CHUNK_BYTES, OutputStreamer


class RecordingLayer:
    """Stands in for the channel layer: records sends, optionally slow or full at first."""

    def __init__(self, delay: float = 0.0, full_times: int = 0) -> None:
        self.sent: list[dict] = []
        self.delay = delay
        self.full_times = full_times

    async def send(self, channel: str, message: dict) -> None:
        if self.full_times:
            self.full_times -= 1
            raise ChannelFull()
        await asyncio.sleep(self.delay)
        self.sent.append(message)


def chunks(layer: RecordingLayer) -> list[list[str]]:
    return [chunk for message in layer.sent for chunk in message["chunks"]]


def test_order_and_streams_are_kept_and_pieces_coalesced():
    async def scenario():
        layer = RecordingLayer(delay=0.01)
        streamer = OutputStreamer(layer, "reply", "run-1")
        for i in range(200):
            await streamer.on_output("stdout", f"{i}\n")
            await asyncio.sleep(0.001)  # the sandbox's reader yields between pieces
            if i % 50 == 0:
                await streamer.on_output("stderr", f"e{i}\n")
        await streamer.close()
        return layer

    layer = asyncio.run(scenario())
    out = "".join(text for stream, text in chunks(layer) if stream == "stdout")
    err = "".join(text for stream, text in chunks(layer) if stream == "stderr")
    assert out == "".join(f"{i}\n" for i in range(200))
    assert err == "e0\ne50\ne100\ne150\n"
    # The first piece goes out alone (no added latency); the rest is batched behind slow sends.
    assert layer.sent[0]["chunks"] == [["stdout", "0\n"]]
    assert len(layer.sent) < 50
    # stderr lines appear right after the stdout line printed before them.
    flat = [text for _, text in chunks(layer)]
    joined = "".join(flat)
    assert joined.index("e50\n") == joined.index("50\n") + len("50\n")


def test_messages_are_bounded_and_full_channels_are_retried():
    async def scenario():
        layer = RecordingLayer(full_times=3)
        streamer = OutputStreamer(layer, "reply", "run-1")
        await streamer.on_output("stdout", "x" * (CHUNK_BYTES * 3 + 5))
        await streamer.close()
        return layer

    layer = asyncio.run(scenario())
    sizes = [sum(len(text) for _, text in m["chunks"]) for m in layer.sent]
    assert sum(sizes) == CHUNK_BYTES * 3 + 5
    assert max(sizes) <= CHUNK_BYTES


def test_trace_events_not_yet_sent_merge_into_the_newest_after_the_output_before_it():
    async def scenario():
        layer = RecordingLayer(delay=0.02)
        streamer = OutputStreamer(layer, "reply", "run-1")
        await streamer.on_output("stdout", "first\n")  # goes out at once, the send is slow
        for i in range(1, 4):
            await streamer.on_event(
                {"type": "trace", "counts": {"a": i}, "values": {f"e{i}": "v"}, "current": "a"}
            )
            await streamer.on_output("stdout", f"line {i}\n")
        paused = {"type": "paused", "node_id": "a", "reason": "step", "variables": []}
        await streamer.on_event(paused)
        await streamer.close()
        return layer

    layer = asyncio.run(scenario())
    flat = chunks(layer)
    traces = [event for kind, event in flat if kind == "trace"]
    assert len(traces) == 1  # three unsent traces became one
    assert traces[0]["counts"] == {"a": 3}
    assert set(traces[0]["values"]) == {"e1", "e2", "e3"}
    kinds = [kind if kind != "stdout" else text for kind, text in flat]
    # Merged into the newest: never ahead of output written before any of them.
    assert kinds.index("trace") > kinds.index("line 2\n")
    assert kinds[-1] == "paused"


def test_memory_claims_are_first_come():
    async def scenario():
        claims = dispatch.MemoryClaims()
        first = await claims.claim("run", "worker-channel")
        second = await claims.claim("run", dispatch.CANCELLED)
        return first, second, await claims.get("run")

    assert asyncio.run(scenario()) == (True, False, "worker-channel")
