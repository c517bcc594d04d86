"""Timed runs over real WebSockets, any number in flight per socket (the load benches' client).

`LoadClient` is one user's socket with one reader task that routes every event to its run (by
the `ref` the first event echoes, then by `run_id`), so a user can have several runs in flight,
as a paced or bursting user does. `RunTiming` holds what a user sees of one run: milliseconds
from sending `run` to the first `stdout`, the first `display`, and the `exit`, and its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

import websockets


@dataclass
class RunTiming:
    sent: float
    first_stdout_ms: float = math.nan
    display_ms: float = math.nan
    exit_ms: float = math.nan
    reason: str = "no exit"

    @property
    def ok(self) -> bool:
        return self.reason == "ok"

    def first_result_ms(self) -> float:
        """What the user waits for: the display of a plot, else the first output."""
        return self.display_ms if not math.isnan(self.display_ms) else self.first_stdout_ms


class LoadClient:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.by_ref: dict[str, RunTiming] = {}
        self.by_run: dict[str, RunTiming] = {}
        self.done: dict[int, asyncio.Future[RunTiming]] = {}
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, servers: Any, token: str) -> LoadClient:
        ws = await websockets.connect(
            f"{servers.ws_url}?token={token}",
            origin=servers.origin,
            max_size=8 * 1024 * 1024,
            open_timeout=60,
        )
        return cls(ws)

    async def run(self, code: str, timeout: float = 120) -> RunTiming:  # noqa: ASYNC109
        """Send one run and wait for its exit (reason "bench timeout" after `timeout` s)."""
        ref = uuid.uuid4().hex[:12]
        timing = RunTiming(sent=time.perf_counter())
        self.by_ref[ref] = timing
        finished = asyncio.get_running_loop().create_future()
        self.done[id(timing)] = finished
        await self.ws.send(json.dumps({"type": "run", "ref": ref, "code": code}))
        try:
            return await asyncio.wait_for(finished, timeout)
        except TimeoutError:
            timing.reason = "bench timeout"
            return timing
        finally:
            self.done.pop(id(timing), None)

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.ws:
                self._route(json.loads(message), time.perf_counter())

    def _route(self, event: dict[str, Any], now: float) -> None:
        timing = self.by_run.get(event.get("run_id") or "")
        if timing is None and event.get("ref") in self.by_ref:
            timing = self.by_ref[event["ref"]]
            if event.get("run_id"):
                self.by_run[event["run_id"]] = timing
        if timing is None:
            return
        since = (now - timing.sent) * 1000
        kind = event["type"]
        if kind == "stdout" and math.isnan(timing.first_stdout_ms):
            timing.first_stdout_ms = since
        elif kind == "display" and math.isnan(timing.display_ms):
            timing.display_ms = since
        elif kind == "exit" or (kind == "error" and "run_id" not in event):
            timing.exit_ms = since
            timing.reason = event.get("reason") or f"error {event.get('code')}"
            finished = self.done.get(id(timing))
            if finished is not None and not finished.done():
                finished.set_result(timing)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


async def connect_all(servers: Any, tokens: list[str]) -> list[LoadClient]:
    return list(await asyncio.gather(*(LoadClient.connect(servers, t) for t in tokens)))


async def close_all(clients: list[LoadClient]) -> None:
    await asyncio.gather(*(client.close() for client in clients))


async def run_later(client: LoadClient, code: str, delay: float) -> RunTiming:
    await asyncio.sleep(delay)
    return await client.run(code)


async def back_to_back(
    clients: list[LoadClient], codes: list[str], seconds: float
) -> tuple[float, list[RunTiming]]:
    """Each client runs one script after another for `seconds` (client i starts at codes[i %
    len(codes)] and cycles on); runs/s of the runs that ended ok, and every timing."""
    timings: list[RunTiming] = []
    stop_at = time.perf_counter() + seconds

    async def loop(index: int, client: LoadClient) -> None:
        turn = index
        while time.perf_counter() < stop_at:
            timings.append(await client.run(codes[turn % len(codes)]))
            turn += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(i, c) for i, c in enumerate(clients)))
    elapsed = time.perf_counter() - started
    return sum(t.ok for t in timings) / elapsed, timings
