"""What the client sends its run while it goes: stdin, the end of stdin, and a debug run's
resume and breakpoints. Checked here, queued in order, and sent to the worker's control channel
on a task of their own once it is known (`start`), so a slow channel never blocks the socket.

A kill is not queued: it goes out at once, ahead of any stdin still waiting to be sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from django.conf import settings

from execution import dispatch
from execution.debug_table import DebugTable
from execution.redis_clients import KILL_UNTIL_BACK
from execution.web.messages import ProtocolError


class RunControls:
    def __init__(self, run_id: str | None = None) -> None:
        self.run_id = run_id  # for the errors' `run_id`
        self.debug: DebugTable | None = None  # a debug run's table: resume and breakpoints
        self.stdin_bytes = 0
        self.stdin_eof = False
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._stdin_unsent: list[str] = []  # the data of the queued stdin message, joined at send
        self._task: asyncio.Task[None] | None = None
        self._layer: Any = None  # with `_control`, once started
        self._control: str | None = None

    def stdin(self, data: str) -> None:
        if self.stdin_eof:
            raise ProtocolError(
                "bad_message", "stdin of this run is already closed.", run_id=self.run_id
            )
        size = len(data.encode())
        if self.stdin_bytes + size > settings.RUN_STDIN_TOTAL_BYTES:
            raise ProtocolError(
                "too_large",
                f"A run takes at most {settings.RUN_STDIN_TOTAL_BYTES} bytes of stdin.",
                run_id=self.run_id,
            )
        if not data:
            return  # nothing to send (and a flood of empty frames must not queue anything)
        self.stdin_bytes += size
        # One queued stdin message collects all data until it is sent: a flood of tiny frames
        # costs a few channel messages and the queue never grows with the frame count.
        if not self._stdin_unsent:
            self._queue.put_nowait({"type": dispatch.STDIN})
        self._stdin_unsent.append(data)

    def close_stdin(self) -> None:
        if not self.stdin_eof:
            self.stdin_eof = True
            self._queue.put_nowait({"type": dispatch.STDIN_EOF})

    def resume(self, mode: str) -> None:
        """A paused debug run goes on (`continue` or `step`); ignored when it is not paused."""
        self._require_debug()
        self._queue.put_nowait({"type": dispatch.RESUME, "mode": mode})

    def set_breakpoints(self, node_ids: tuple[str, ...]) -> None:
        """A debug run's breakpoints from now on; nodes that cannot pause are left out."""
        nodes = self._require_debug().node_indices(list(node_ids))
        self._queue.put_nowait({"type": dispatch.BREAKPOINTS, "nodes": nodes})

    def _require_debug(self) -> DebugTable:
        if self.debug is None:
            raise ProtocolError("bad_message", "This run is not a debug run.", run_id=self.run_id)
        return self.debug

    def start(self, layer: Any, control: str) -> None:
        """The worker's control channel is known: send what is queued, and all that follows."""
        self._layer, self._control = layer, control
        self._task = asyncio.create_task(self._send(layer, control))

    async def kill(self) -> None:
        """Have the worker kill the run (nothing to do before it started)."""
        if self._control is not None:
            await dispatch.send(self._layer, self._control, {"type": dispatch.KILL})

    async def kill_when_the_layer_answers(self) -> None:
        """Kill the run once the channel layer, failing now, answers again."""
        with contextlib.suppress(Exception):  # given up: the worker's wall limit ends the run
            await KILL_UNTIL_BACK.call(self.kill)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _send(self, layer: Any, control: str) -> None:
        while True:
            message = await self._queue.get()
            if message["type"] == dispatch.STDIN:
                message = {"type": dispatch.STDIN, "data": "".join(self._stdin_unsent)}
                self._stdin_unsent.clear()
            await dispatch.send(layer, control, message)
