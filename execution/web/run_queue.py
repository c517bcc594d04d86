"""A run waiting on the pool: its admission, the queue, the deadline, then the heartbeat.

The admission (admission.py: one Redis script, no database) either gives the run a slot at once,
and then usually sends its request to the pool in the same round trip, or queues it. A queued
run polls for a slot every QUEUE_POLL_SECONDS and re-sends `queued` when its position changes.
A dispatched request carries a deadline: a run no worker started by then is cancelled through
its claim (dispatch.py), so a worker taking it later never runs it. A started run is given up
on when its worker has not been heard of for HEARTBEAT_TIMEOUT_SECONDS.

What ends a run here is returned (GaveUp), not done here: finishing a run is client_run.py's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from execution import dispatch
from execution.exit_reasons import ExitReason
from execution.models import Execution
from execution.sandbox_kind import sandbox_kind
from execution.web.admission import Admitted, Dispatch, admission
from execution.web.run_host import RunHost
from execution.web.run_record import RunRecord
from execution.web.run_script import Script

QUEUE_POLL_SECONDS = 0.4
STARTED_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class GaveUp:
    """The run ends as `worker_lost` with this message (and an `error` event first if `error`)."""

    message: str
    error: bool = False


def _mark_dispatched(execution: Execution, at: Any) -> None:
    execution.dispatched_at = at
    Execution.objects.filter(pk=execution.pk).update(dispatched_at=at)


class RunQueue:
    def __init__(self, host: RunHost, run_id: str, script: Script, record: RunRecord) -> None:
        self.host = host
        self.run_id = run_id
        self.script = script
        # Which warm sandbox fits the code (sandbox_kind.py): the request asks the pool for it.
        self.sandbox = sandbox_kind(script.code)
        self.record = record
        self.dispatched = False
        self.deadline: float | None = None  # set with `dispatched`: when a worker must start it
        self.position = 0

    def _request(self) -> dict[str, Any]:
        request = {
            "type": dispatch.REQUEST,
            "run_id": self.run_id,
            "user_id": self.host.user.pk,
            "code": self.script.code,
            "sandbox": self.sandbox,
            "reply_to": self.host.channel_name,
            "deadline": time.time() + dispatch.DISPATCH_DEADLINE_SECONDS,
        }
        if self.script.debug is not None:
            request["debug"] = self.script.debug.to_message()
        if self.script.inputs is not None:
            request["inputs"] = self.script.inputs  # JSON text: msgpack carries it as is
        return request

    async def admit(self) -> Admitted:
        """Take a run slot or a place in the queue; raises admission.Refused past the limits.

        The request travels with the admission when the run gets a slot at once (one Redis
        round trip for both, see RedisAdmission.admit); otherwise `dispatch()` sends it later.
        """
        request = self._request()
        layer = self.host.channel_layer
        admitted = await admission().admit(
            self.host.user.pk, self.run_id, Dispatch(layer, dispatch.request_channel(), request)
        )
        if admitted.sent:
            self.dispatched = True
            self.deadline = request["deadline"]
        self.position = admitted.position
        return admitted

    async def dispatch(self) -> GaveUp | None:
        """Send the request to the pool (the run has its slot)."""
        self.dispatched = True
        request = self._request()
        self.deadline = request["deadline"]
        if not await dispatch.send(self.host.channel_layer, dispatch.request_channel(), request):
            return GaveUp("The run queue is full; try again shortly.")
        return None

    async def wait_for_start(
        self, started: Callable[[], bool], finished: asyncio.Event
    ) -> GaveUp | None:
        """Until the worker's `started` (`started()` turns true) or the run ends elsewhere
        (`finished`); or until it is given up on, which is returned."""
        while not started() and not finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), QUEUE_POLL_SECONDS)
            if started() or finished.is_set():
                return None
            if not self.dispatched:
                if await admission().try_dispatch(self.host.user.pk, self.run_id):
                    assert self.record.execution is not None  # written at admission
                    self.record.write(_mark_dispatched, self.record.execution, timezone.now())
                    if (gave_up := await self.dispatch()) is not None:
                        return gave_up
                    continue
            elif self.deadline is not None and time.time() > self.deadline:
                return await self._deadline_passed(started, finished)
            position = await admission().position(self.run_id)
            if position != self.position and not started() and not finished.is_set():
                self.position = position
                await self.host.send_event(
                    {"type": "queued", "run_id": self.run_id, "position": position}
                )
        return None

    async def _deadline_passed(
        self, started: Callable[[], bool], finished: asyncio.Event
    ) -> GaveUp | None:
        if await dispatch.claims().claim(self.run_id, dispatch.CANCELLED):
            return GaveUp(
                f"No pool worker started this run within {dispatch.DISPATCH_DEADLINE_SECONDS:g} s"
                " (the pool is busy or not running). Try again later.",
                error=True,
            )
        # A worker claimed it just now: its `started` is on the way.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), STARTED_GRACE_SECONDS)
        if not started() and not finished.is_set():
            return GaveUp(ExitReason.WORKER_LOST.sentence(None), error=True)
        return None

    async def watch_until_exit(
        self, last_heard: Callable[[], float], finished: asyncio.Event
    ) -> GaveUp | None:
        """Until the run ends (`finished`), or its worker stays silent too long (returned);
        `last_heard()` is the monotonic time of the worker's last message."""
        while not finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), dispatch.HEARTBEAT_SECONDS)
            silent = time.monotonic() - last_heard()
            if not finished.is_set() and silent > dispatch.HEARTBEAT_TIMEOUT_SECONDS:
                return GaveUp(
                    f"Lost contact with the pool worker (no word for {silent:.0f} s);"
                    " the run was abandoned.",
                    error=True,
                )
        return None

    async def cancel_unstarted(self) -> bool:
        """Stop a dispatched run we have no `started` for. True: it never starts (claimed here);
        False: a worker claimed it first, and it is killed through its control channel."""
        if await dispatch.claims().claim(self.run_id, dispatch.CANCELLED):
            return True
        # Claimed by a worker whose `started` is in flight: kill it through its control channel.
        control = await dispatch.claims().get(self.run_id)
        if control and control != dispatch.CANCELLED:
            await dispatch.send(self.host.channel_layer, control, {"type": dispatch.KILL})
        return False
