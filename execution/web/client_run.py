"""The web side of one run: from the client's `run` frame to its final `exit` / `error` event.

A ClientRun lives in its own task on the consumer's event loop and walks the run through its
units: the script (run_script.py: the code, or the graph compiled), the admission and the queue
(run_queue.py), then the worker's heartbeat until its exit. Events from the worker are handed
to it by its host (`deliver` below) and forwarded to the client at once (run_output.py turns
them into the client's events and keeps what the record needs). The Execution row is written
off the run's path (run_record.py).

What a run needs of its socket or REST request is the small RunHost protocol (run_host.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from django.utils import timezone

from execution import dispatch
from execution.protocol import exit_event, exit_event_from_worker
from execution.web.admission import Budget, Refused, admission
from execution.web.messages import RunRequest
from execution.web.run_controls import RunControls
from execution.web.run_host import RunHost, RunTable
from execution.web.run_output import RunOutput
from execution.web.run_queue import RunQueue
from execution.web.run_record import RunRecord
from execution.web.run_script import Script, ScriptRefused, resolve_script
from nodeengine import metrics

logger = logging.getLogger("execution.runs")


class ClientRun:
    def __init__(
        self,
        host: RunHost,
        request: RunRequest,
        table: RunTable | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.host = host
        self.table = table  # the socket's runs (None for a REST run: its host has one run)
        self._budget = budget  # whose run slots it takes: see `budget`
        self.request = request
        self.ref = request.ref
        self.run_id: str | None = None
        self.record = RunRecord()  # the Execution row, written in the background
        self.output = RunOutput(self.record)
        self.queue: RunQueue | None = None  # once admission starts
        self.control: str | None = None  # the worker's control channel, once started
        self.worker: str | None = None  # set with `started`
        self.started_at: Any = None
        self.admitting = False
        self.started = False
        self.finished = asyncio.Event()
        self.queued_sent = asyncio.Event()
        self.last_heard = time.monotonic()
        self.kill_requested = False
        self.controls = RunControls()  # stdin, resume, breakpoints: sent once started
        self._background: set[asyncio.Task[Any]] = set()
        self.final_fields: dict[str, Any] | None = None

    @property
    def budget(self) -> Budget:
        """Whose run slots it takes: its user's own, unless given (a webhook's, webhooks/)."""
        return self._budget or Budget.of_user(self.host.user.pk)

    async def emit(self, event: dict[str, Any]) -> None:
        await self.host.send_event(event)

    async def emit_error(self, code: str, message: str, **extra: Any) -> None:
        event: dict[str, Any] = {"type": "error", "code": code, "message": message, **extra}
        if self.run_id is not None:
            event["run_id"] = self.run_id
        if self.ref is not None:
            event["ref"] = self.ref
        await self.emit(event)

    # --- The run's task ---

    async def main(self) -> None:
        try:
            try:
                script = await resolve_script(self.request, self.host.user.pk)
            except ScriptRefused as refused:
                await self.emit_error(refused.code, refused.message, **refused.extra)
                return
            self.output.source_map = script.source_map
            self.controls.debug = script.debug
            queue = await self._admit(script)
            if queue is None:
                return
            gave_up = await queue.wait_for_start(lambda: self.started, self.finished)
            if gave_up is None and self.started:
                gave_up = await queue.watch_until_exit(lambda: self.last_heard, self.finished)
            if gave_up is not None:
                await self.finish_locally("worker_lost", gave_up.message, error=gave_up.error)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("run %s failed in the web process", self.run_id)
            if self.run_id and not self.finished.is_set():
                await self.finish_locally(
                    "worker_lost", "The server failed while handling this run."
                )
            elif not self.run_id:
                await self.emit_error("bad_message", "The server could not start this run.")
        finally:
            self.queued_sent.set()  # never leave on_started waiting, whatever happened
            self.controls.stop()

    async def _admit(self, script: Script) -> RunQueue | None:
        """Admit the run and tell the client `queued`; None if it ended meanwhile."""
        run_id = str(uuid.uuid4())
        # Registered before the admission answers: with the request sent in the same round
        # trip, the worker's `started` may reach this process first (on_started then waits for
        # `queued`). A socket closing meanwhile leaves the run to this task (see abandon()).
        self.run_id = self.controls.run_id = run_id
        self.admitting = True
        if self.table is not None:
            self.table.register(self)
        queue = self.queue = RunQueue(self.host, run_id, script, self.record, self.budget)
        try:
            admitted = await queue.admit()
        except BaseException as exc:
            if self.table is not None:
                self.table.unregister(self)
            self.run_id = None  # the client never hears of this run_id
            if not isinstance(exc, Refused):
                raise
            await self.emit_error("refused", str(exc))
            return None
        finally:
            self.admitting = False
        self.output.record_admitted(
            run_id, self.host.user.pk, self.request.graph_id, script.code, admitted.dispatch_now
        )
        if self.host.closed:  # the client left while this run was being admitted
            if admitted.sent:
                await queue.cancel_unstarted()
            self._finish(reason="killed", message="The browser disconnected.", exit_code=None)
            return None
        # Dispatch first, tell the client while the pool starts it: `started` handling waits
        # for `queued_sent`, so the client still sees queued -> started.
        if admitted.dispatch_now and not admitted.sent:
            if (gave_up := await queue.dispatch()) is not None:
                await self.finish_locally("worker_lost", gave_up.message)
        self.output.record_soon()
        if self.finished.is_set():
            return None
        await self.emit(
            {"type": "queued", "run_id": run_id, "ref": self.ref, "position": queue.position}
        )
        self.queued_sent.set()
        return queue

    # --- Events from the pool worker (handed over by the host: `deliver`) ---

    async def on_started(self, message: dict[str, Any]) -> None:
        await self.queued_sent.wait()
        if self.finished.is_set() or self.started:
            # Too late (already given up on): make sure it stops.
            await dispatch.send(
                self.host.channel_layer, message["control"], {"type": dispatch.KILL}
            )
            return
        self.started = True
        self.last_heard = time.monotonic()
        self.control = message["control"]
        await self.emit({"type": "started", "run_id": self.run_id})
        self.controls.start(self.host.channel_layer, self.control)
        if self.kill_requested:
            self._spawn(self.controls.kill())
        self.started_at = timezone.now()
        self.worker = str(message.get("worker", ""))[:200]
        self._spawn(admission().started(str(self.run_id)))
        self.output.record_started(self.worker, self.started_at)

    async def on_output(self, message: dict[str, Any]) -> None:
        if self.finished.is_set():
            return
        self.last_heard = time.monotonic()
        for event in self.output.events(self.run_id, message):
            await self.emit(event)
        self.output.record_after_output()

    async def on_heartbeat(self, message: dict[str, Any]) -> None:
        self.last_heard = time.monotonic()

    async def on_exit(self, message: dict[str, Any]) -> None:
        if self.finished.is_set():
            return
        event = exit_event_from_worker(message, self.output.source_map)
        await self.emit(dict(event))
        self._finish(
            exit_code=event["exit_code"],
            reason=event["reason"],
            message=str(message.get("message") or ""),
            duration_ms=event["duration_ms"],
            node_id=event["node_id"] or "",
            output_bytes=int(message.get("output_bytes") or self.output.output_bytes),
        )

    # --- Requests from the client ---

    # stdin, resume and breakpoints go to `controls` (run_controls.py); kill is the run's own:
    # it ends a run wherever it is, started or not.

    async def kill(self, message: str = "Stopped on request.") -> None:
        """The user's kill: stop the run wherever it is; a worker-run one reports its own exit."""
        if self.finished.is_set() or self.kill_requested:
            return
        self.kill_requested = True
        if self.started:
            await self.controls.kill()
        elif self.queue is None or not self.queue.dispatched or await self.queue.cancel_unstarted():
            await self.finish_locally("killed", message)

    async def channel_lost(self) -> None:
        """The channel layer failed under this run: its output and exit are lost with it. End it
        for the client now, and have the worker kill it once the layer answers again (the worker
        also kills it itself when its own sends fail)."""
        if self.finished.is_set():
            return
        await self.finish_locally(
            "worker_lost",
            "The connection to the run queue (Redis) failed, so this run's output was lost; "
            "the run was stopped. Run it again.",
            error=True,
        )
        if self.control:
            self._spawn(self.controls.kill_when_the_layer_answers())

    async def abandon(self) -> None:
        """The socket closed: kill the run and record it; nothing more is sent to the client."""
        if self.finished.is_set() or self.admitting:
            return  # an admitting run checks `host.closed` itself once admitted
        await self.kill()
        if not self.finished.is_set():
            self._finish(reason="killed", message="The browser disconnected.", exit_code=None)

    # --- Finishing ---

    async def finish_locally(self, reason: str, message: str, error: bool = False) -> None:
        """End a run the worker will not report on (never started, or the worker is gone)."""
        if self.finished.is_set():
            return
        if error:
            await self.emit_error("worker_lost", message)
        await self.emit(
            dict(exit_event(str(self.run_id), exit_code=None, reason=reason, message=message))
        )
        self._finish(reason=reason, message=message, exit_code=None)

    def _finish(self, **fields: Any) -> None:
        self.finished.set()
        fields = self.output.final_fields(fields)
        if self.started:
            fields.update(started_at=self.started_at, worker=self.worker)
        self.final_fields = fields
        if self.table is not None:
            self.table.forget(self)
        if self.record.execution is not None:
            # Counted for /metrics here, where the run ends, whether or not the record's write
            # lands (a per-process counter and histogram: no scrape aggregates the table).
            metrics.observe_finished_run(fields.get("reason", ""), self.output.first_output_ms)
            self._spawn(admission().release(self.budget, str(self.run_id)))
            self.output.record_finished(fields)

    async def flush_records(self) -> None:
        """Wait for this run's pending database writes (used when the host ends)."""
        await self.record.flush(seconds=5)
        if self._background:
            await asyncio.wait(set(self._background), timeout=5)

    def _spawn(self, awaitable: Awaitable[Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(awaitable)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task


# The pool worker's messages about a run, and the ClientRun method each goes to: the one
# routing table of the socket (consumers.py) and the REST host (rest_run.py).
WORKER_MESSAGES: dict[str, Callable[[ClientRun, dict[str, Any]], Awaitable[None]]] = {
    dispatch.STARTED: ClientRun.on_started,
    dispatch.OUTPUT: ClientRun.on_output,
    dispatch.HEARTBEAT: ClientRun.on_heartbeat,
    dispatch.EXIT: ClientRun.on_exit,
}


async def deliver(run: ClientRun, message: dict[str, Any]) -> None:
    """Hand a pool worker's message to its run (other message types are ignored)."""
    handler = WORKER_MESSAGES.get(message.get("type", ""))
    if handler is not None:
        await handler(run, message)
