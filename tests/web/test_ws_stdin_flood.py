"""A flood of stdin frames must not grow the web process's memory with the number of frames:
the per-run byte limit alone would still allow a million one-byte (or empty) messages queued."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from execution import dispatch
from execution.web.client_run import ClientRun
from execution.web.messages import ProtocolError, RunRequest


class SlowLayer:
    """The consumer's channel layer: records what is sent to the worker, slowly."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)
        self.sent.append(message)


class FakeConsumer:
    def __init__(self) -> None:
        self.channel_layer = SlowLayer()


async def wait_for_eof(layer: SlowLayer) -> None:
    async with asyncio.timeout(10):
        while not layer.sent or layer.sent[-1]["type"] != dispatch.STDIN_EOF:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_flood_of_stdin_frames_is_sent_as_few_messages_in_order(settings):
    settings.RUN_STDIN_TOTAL_BYTES = 1024 * 1024
    consumer = FakeConsumer()
    run = ClientRun(consumer, RunRequest(ref=None, code="input()"))
    # Before the run starts (queued): nothing is sent yet, and nothing accumulates per frame.
    for _ in range(20_000):
        run.controls.stdin("")
    for i in range(20_000):
        run.controls.stdin(str(i % 10))
    run.controls.start(consumer.channel_layer, "control-channel")
    try:
        await asyncio.sleep(0.005)  # the first message is in flight while more arrives
        for _ in range(1000):
            run.controls.stdin("x")
        run.controls.close_stdin()
        await wait_for_eof(consumer.channel_layer)
    finally:
        run.controls.stop()
    sent = consumer.channel_layer.sent
    assert len(sent) <= 3
    assert [m["type"] for m in sent[:-1]] == [dispatch.STDIN] * (len(sent) - 1)
    data = "".join(m["data"] for m in sent[:-1])
    assert data == "".join(str(i % 10) for i in range(20_000)) + "x" * 1000


async def test_the_per_run_total_still_applies(settings):
    settings.RUN_STDIN_TOTAL_BYTES = 100
    run = ClientRun(FakeConsumer(), RunRequest(ref=None, code="input()"))
    for _ in range(100):
        run.controls.stdin("a")
    with pytest.raises(ProtocolError) as info:
        run.controls.stdin("a")
    assert info.value.code == "too_large"
    run.controls.stdin("")  # empty frames are no-ops, never an error
