"""Output coalescing in the pool worker, and run claims (pure logic with an in-memory layer)."""

from __future__ import annotations

import asyncio
import itertools

import msgpack
from channels.exceptions import ChannelFull

from execution import dispatch
from execution.worker.output_queue import CHUNK_BYTES, TRACE_INTERVAL_SECONDS, OutputQueue
from execution.worker.output_streamer import OutputStreamer


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


def trace(n: int, **values: str) -> dict:
    return {"type": "trace", "counts": {"a": n}, "values": values, "current": "a"}


def test_a_trace_goes_at_most_once_per_interval_and_output_does_not_wait_for_it():
    queue = OutputQueue()
    queue.add_event(trace(1))
    assert queue.take_batch(now=10.0) == [["trace", trace(1)]]
    queue.add_event(trace(2, e="x"))
    queue.add_text("stdout", "after\n")
    # Too soon for the trace: the output goes, the trace stays behind.
    assert queue.take_batch(now=10.010) == [["stdout", "after\n"]]
    assert not queue.sendable(now=10.020)
    assert queue.trace_due_at() == 10.0 + TRACE_INTERVAL_SECONDS
    queue.add_event(trace(3))  # merges into the waiting one
    assert queue.take_batch(now=10.030) == []
    assert queue.take_batch(now=10.0 + TRACE_INTERVAL_SECONDS) == [
        ["trace", {"type": "trace", "counts": {"a": 3}, "values": {"e": "x"}, "current": "a"}]
    ]


def test_a_flood_of_traces_is_coalesced_to_the_rate_and_keeps_the_last_state():
    queue = OutputQueue()
    sent_at: list[float] = []
    shown: dict = {}
    now = 0.0
    for n in range(1, 1001):  # a trace every 3 ms for 3 s, batches taken every millisecond
        queue.add_event(trace(n, **{f"e{n % 7}": str(n)}))
        for _ in range(3):
            now += 0.001
            if queue.sendable(now):
                for kind, event in queue.take_batch(now):
                    assert kind == "trace"
                    sent_at.append(now)
                    shown.update(event["values"])
                    last = event
    for _, event in queue.take_batch(now, final=True):  # the run ended: the last one goes
        sent_at.append(now)
        shown.update(event["values"])
        last = event
    gaps = [b - a for a, b in itertools.pairwise(sent_at[:-1])]  # the last one may not wait
    assert min(gaps) >= TRACE_INTERVAL_SECONDS - 1e-9
    assert len(sent_at) <= 3.0 / TRACE_INTERVAL_SECONDS + 2
    assert last["counts"] == {"a": 1000}
    assert shown == {f"e{n % 7}": str(n) for n in range(994, 1001)}


def test_the_trace_before_a_pause_does_not_wait():
    queue = OutputQueue()
    queue.add_event(trace(1))
    queue.take_batch(now=5.0)
    queue.add_event(trace(2))
    paused = {"type": "paused", "node_id": "a", "reason": "breakpoint", "variables": []}
    queue.add_event(paused)
    assert queue.take_batch(now=5.001) == [["trace", trace(2)], ["paused", paused]]


def test_a_streamer_sends_the_last_trace_at_close_without_waiting_for_its_time():
    async def scenario():
        layer = RecordingLayer()
        streamer = OutputStreamer(layer, "reply", "run-1")
        for n in range(1, 6):
            await streamer.on_event(trace(n))
            await asyncio.sleep(0.001)
        await streamer.close()
        return layer

    traces = [event for kind, event in chunks(asyncio.run(scenario())) if kind == "trace"]
    assert traces[-1]["counts"] == {"a": 5}


class MsgpackLayer(RecordingLayer):
    """Encodes as channels-redis does: msgpack refuses what it cannot carry."""

    def serialize(self, message: dict) -> bytes:
        return msgpack.packb(message)

    async def send(self, channel: str, message: dict) -> None:
        self.serialize(message)
        await super().send(channel, message)


def test_a_chunk_the_layer_cannot_encode_becomes_an_error_line_not_a_lost_run():
    async def scenario():
        layer = MsgpackLayer()
        streamer = OutputStreamer(layer, "reply", "run-1")
        await streamer.on_output("stdout", "before\n")
        table = {"columns": ["big"], "rows": [[10**30]], "total": 1}
        await streamer.on_event({"type": "display", "mime": "table", "data": table, "line": 1})
        await streamer.on_output("stdout", "after\n")
        await streamer.close()
        return layer

    flat = chunks(asyncio.run(scenario()))
    text = "".join(body for kind, body in flat if kind == "stdout")
    assert text == "before\nafter\n"
    errors = [body for kind, body in flat if kind == "stderr"]
    assert len(errors) == 1 and "display could not be sent" in errors[0]
    assert "OverflowError" in errors[0]


def test_memory_claims_are_first_come():
    async def scenario():
        claims = dispatch.MemoryClaims()
        first = await claims.claim("run", "worker-channel")
        second = await claims.claim("run", dispatch.CANCELLED)
        return first, second, await claims.get("run")

    assert asyncio.run(scenario()) == (True, False, "worker-channel")


def test_a_streamer_whose_sends_fail_never_blocks_the_sandboxs_reader():
    class BrokenLayer(RecordingLayer):
        async def send(self, channel: str, message: dict) -> None:
            raise RuntimeError("a bug in the layer")

    async def scenario():
        streamer = OutputStreamer(BrokenLayer(), "reply", "run-1")
        for _ in range(10):  # far past the high-water mark
            await streamer.on_output("stdout", "x" * CHUNK_BYTES * 2)
        try:
            await streamer.close()
        except RuntimeError as exc:
            return str(exc)

    assert asyncio.run(asyncio.wait_for(scenario(), 10)) == "a bug in the layer"
