"""A run's wall clock, stopped while a debug run is paused at a breakpoint.

A person reading variables at a breakpoint is not the script using time, so paused time does not
count against the wall limit. It has a budget of its own, per run and added up over every pause,
so a script that fakes pauses (it can write to the debugger's channel) gains at most that much
wall time, and never CPU time: RLIMIT_CPU counts on in the kernel.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from execution.exit_reasons import ExitReason


class RunClock:
    def __init__(self, wall_seconds: float, pause_seconds: float) -> None:
        self.wall_seconds = wall_seconds
        self.pause_seconds = pause_seconds
        self._started = time.monotonic()
        self._paused_total = 0.0
        self._paused_since: float | None = None
        self._changed = asyncio.Event()

    @property
    def paused(self) -> bool:
        return self._paused_since is not None

    def pause(self) -> None:
        if self._paused_since is None:
            self._paused_since = time.monotonic()
            self._changed.set()

    def resume(self) -> None:
        if self._paused_since is not None:
            self._paused_total += time.monotonic() - self._paused_since
            self._paused_since = None
            self._changed.set()

    def _until_limit(self) -> tuple[float, ExitReason]:
        now = time.monotonic()
        if self._paused_since is not None:
            paused = self._paused_total + now - self._paused_since
            return self.pause_seconds - paused, ExitReason.PAUSE_LIMIT
        running = now - self._started - self._paused_total
        return self.wall_seconds - running, ExitReason.TIMEOUT

    async def wait(self, task: asyncio.Future[Any]) -> ExitReason | None:
        """Waits for `task`; the limit that ran out first if it did not end in time."""
        while True:
            seconds, limit = self._until_limit()
            if seconds <= 0:
                return limit
            self._changed.clear()
            changed = asyncio.ensure_future(self._changed.wait())
            try:
                done, _ = await asyncio.wait(
                    {task, changed}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                changed.cancel()
            if task in done:
                return None
