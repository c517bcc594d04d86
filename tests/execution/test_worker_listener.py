"""A run's control listener in the pool worker: it takes the run's kill while the run goes
on, and ends by the worker's own message once the run is over (pure logic, in-memory layer).

Not cancelled: cancelling channels-redis' blocking pop makes redis-py drop that connection,
and the next run's listener would reconnect just as its script starts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer

from execution import dispatch
from execution.exit_reasons import ExitReason
from execution.sandbox.sandbox import RunResult
from execution.worker import worker_run
from execution.worker.pool_worker import PoolWorker
from execution.worker.worker_run import WorkerRun


class WaitsForKill:
    """A sandbox whose script prints a line, then runs until it is killed."""

    name = "fake-sandbox"
    kind = "light"

    def __init__(self) -> None:
        self.killed = asyncio.Event()

    async def run(self, code: str, on_output: Any, **options: Any) -> RunResult:
        await on_output("stdout", "hi\n")
        await self.killed.wait()
        return RunResult(
            exit_code=137, reason=ExitReason.KILLED, duration=0.01, output_bytes=3, error_line=None
        )

    async def kill(self) -> None:
        self.killed.set()


def test_the_listener_takes_the_kill_and_then_ends_by_its_own_message(monkeypatch):
    endings: list[str] = []
    listen = WorkerRun._listen

    async def recording_listen(self: WorkerRun, *args: Any) -> None:
        try:
            await listen(self, *args)
        except asyncio.CancelledError:
            endings.append("cancelled")
            raise
        endings.append("returned")

    monkeypatch.setattr(WorkerRun, "_listen", recording_listen)

    async def scenario():
        layer = InMemoryChannelLayer()
        worker = PoolWorker(pool=None, layer=layer, name="listener-test")
        control, reply = await layer.new_channel(), await layer.new_channel()
        request = {"run_id": "run-1", "reply_to": reply, "code": "...", "user_id": 1}
        run = asyncio.create_task(worker._run(WaitsForKill(), request, control))
        await layer.send(control, {"type": dispatch.KILL})
        await asyncio.wait_for(run, 5)
        replies = [(await layer.receive(reply))["type"] for _ in range(3)]
        return replies, worker.inflight

    replies, inflight = asyncio.run(scenario())
    assert replies == [dispatch.STARTED, dispatch.OUTPUT, dispatch.EXIT]
    assert inflight == {}
    assert endings == ["returned"]
    assert worker_run.LISTENER_DONE not in (dispatch.STDIN, dispatch.KILL, dispatch.RESUME)
