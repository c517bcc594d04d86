"""The web side of one run: from the client's `run` frame to its final `exit` / `error` event.

A ClientRun lives in its own task on the consumer's event loop: it compiles (for graph runs),
admits the run against the user's limits (admission.py: one Redis script, no database, which
also dispatches the request to the pool when a run slot is free) or waits in the queue
(re-sending `queued` when the position changes), then watches the worker's heartbeat. Events
from the worker are handed to it by the consumer (`on_started`, `on_output`, ...) and forwarded
to the socket immediately.

The Execution row is a record (run_record.py), written off the run's path: its writes wait
until the first output has been forwarded, the run has ended or RECORD_AFTER_SECONDS have
passed. ORM work runs in threads, and a thread holding the GIL delays the event loop by up to
the interpreter's switch interval (5 ms) at every wake-up: that must not happen between `run`
and the first output.

What a run needs of its socket is the small `RunHost` protocol below (the consumer is one), so
this module does not import the consumer's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from execution import dispatch
from execution.debug_table import DEBUG_EVENTS, DebugTable
from execution.exit_reasons import ExitReason
from execution.models import Execution
from execution.protocol import exit_event, exit_event_from_worker
from execution.redis_clients import KILL_UNTIL_BACK
from execution.sandbox_kind import LIGHT, sandbox_kind
from execution.web.admission import Dispatch, Refused, admission
from execution.web.messages import RunRequest
from execution.web.run_controls import RunControls
from execution.web.run_record import RunRecord, db
from nodeengine import metrics

logger = logging.getLogger("execution.runs")

QUEUE_POLL_SECONDS = 0.4
RECORD_AFTER_SECONDS = 0.25
RECORD_AFTER_OUTPUT_SECONDS = 0.01
STARTED_GRACE_SECONDS = 5.0


class RunHost(Protocol):
    """What a run needs of the socket it belongs to (RunConsumer implements it)."""

    user: Any
    channel_layer: Any
    channel_name: str
    closed: bool

    async def send_event(self, event: dict[str, Any]) -> None: ...
    def register(self, run: ClientRun) -> None: ...
    def unregister(self, run: ClientRun) -> None: ...  # never announced to the client
    def forget(self, run: ClientRun) -> None: ...  # finished


def _compile(graph: dict[str, Any], debug: bool) -> Any:
    from graphs.compiler import compile_graph  # the compiler is another part; import lazily

    return compile_graph(graph, debug=debug)


def _mark_dispatched(execution: Execution, at: Any) -> None:
    execution.dispatched_at = at
    Execution.objects.filter(pk=execution.pk).update(dispatched_at=at)


def _load_graph(user_id: int, graph_id: int, share_token: str | None) -> dict[str, Any] | None:
    from graphs.sharing import graph_for_run  # the graphs part decides who may run a graph

    return graph_for_run(user_id, graph_id, share_token)


class ClientRun:
    def __init__(self, consumer: RunHost, request: RunRequest) -> None:
        self.consumer = consumer
        self.request = request
        self.ref = request.ref
        self.run_id: str | None = None
        self.record = RunRecord()  # the Execution row, written in the background
        self.graph_id: int | None = request.graph_id
        self.source_map: dict[str, str] = {}
        self.debug: DebugTable | None = None  # a debug run's table (docs/debugging.md)
        # Which warm sandbox fits the code (execution/sandbox_kind.py), decided at admission.
        self.sandbox_kind = LIGHT
        self.control: str | None = None
        self.admitting = False
        self.dispatched = False
        self.started = False
        self.finished = asyncio.Event()
        self.queued_sent = asyncio.Event()
        self.requested_at = time.monotonic()
        self.last_heard = time.monotonic()
        self.first_output_ms: int | None = None
        self.output_bytes = 0
        self.tail: list[str] = []
        self.tail_chars = 0
        self.kill_requested = False
        self.controls = RunControls()  # stdin, resume, breakpoints: sent once started
        self._background: set[asyncio.Task[Any]] = set()
        self.final_fields: dict[str, Any] | None = None

    # --- Sending to the socket ---

    async def emit(self, event: dict[str, Any]) -> None:
        await self.consumer.send_event(event)

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
            code = await self._resolve_code()
            if code is None:
                return
            if not await self._admit(code):
                return
            await self._wait_for_start()
            if self.started:
                await self._watch_until_exit()
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

    async def _resolve_code(self) -> str | None:
        request = self.request
        if request.code is not None:
            return request.code
        graph = request.graph
        if request.graph_id is not None:
            graph = await db(
                _load_graph, self.consumer.user.pk, request.graph_id, request.share_token
            )
            if graph is None:
                await self.emit_error("not_found", f"Graph {request.graph_id} was not found.")
                return None
        assert graph is not None
        debugging = request.breakpoints is not None
        result = await sync_to_async(_compile, thread_sensitive=False)(graph, debugging)
        if result.has_errors:
            diagnostics = result.to_dict()["diagnostics"]
            errors = [d for d in diagnostics if d.get("severity") == "error"]
            first = errors[0]["message"] if errors else "The graph has errors."
            await self.emit_error(
                "compile_error", f"The graph does not compile: {first}", diagnostics=diagnostics
            )
            return None
        if len(result.code.encode()) > settings.RUN_SCRIPT_BYTES:
            await self.emit_error(
                "too_large", f"The compiled code is larger than {settings.RUN_SCRIPT_BYTES} bytes."
            )
            return None
        self.source_map = {str(line): node for line, node in result.source_map.items()}
        if debugging:
            self.debug = DebugTable.from_compile(result.debug, request.breakpoints or ())
            self.controls.debug = self.debug
        return result.code

    async def _admit(self, code: str) -> bool:
        user = self.consumer.user
        run_id = str(uuid.uuid4())
        self.code = code
        self.sandbox_kind = sandbox_kind(code)
        # The request travels with the admission when the run gets a slot at once (one Redis
        # round trip for both, see RedisAdmission.admit); otherwise it is sent later.
        request = self._request(run_id)
        # Registered before the admission answers: with the request sent in the same round
        # trip, the worker's `started` may reach this process first (on_started then waits for
        # `queued`). A socket closing meanwhile leaves the run to this task (see abandon()).
        self.run_id = self.controls.run_id = run_id
        self.admitting = True
        self.consumer.register(self)
        try:
            admitted = await admission().admit(
                user.pk,
                run_id,
                Dispatch(self.consumer.channel_layer, dispatch.request_channel(), request),
            )
        except BaseException as exc:
            self.consumer.unregister(self)
            self.run_id = None  # the client never hears of this run_id
            if not isinstance(exc, Refused):
                raise
            await self.emit_error("refused", str(exc))
            return False
        finally:
            self.admitting = False
        now = timezone.now()
        self.record.execution = Execution(
            id=run_id,
            user_id=user.pk,
            graph_id=self.graph_id,
            script_sha256=hashlib.sha256(code.encode()).hexdigest(),
            queued_at=now,
            dispatched_at=now if admitted.dispatch_now else None,
        )
        if admitted.sent:
            self.dispatched = True
            self.deadline = request["deadline"]
        if self.consumer.closed:  # the browser left while this run was being admitted
            if admitted.sent:
                await self._cancel_unstarted()
            self._finish(reason="killed", message="The browser disconnected.", exit_code=None)
            return False
        # Dispatch first, tell the client while the pool starts it: `started` handling waits
        # for `queued_sent`, so the client still sees queued -> started.
        if admitted.dispatch_now and not admitted.sent:
            await self._dispatch()
        asyncio.get_running_loop().call_later(RECORD_AFTER_SECONDS, self.record.start)
        if self.finished.is_set():
            return False
        self.position = admitted.position
        await self.emit(
            {"type": "queued", "run_id": self.run_id, "ref": self.ref, "position": self.position}
        )
        self.queued_sent.set()
        return True

    def _request(self, run_id: str) -> dict[str, Any]:
        request = {
            "type": dispatch.REQUEST,
            "run_id": run_id,
            "user_id": self.consumer.user.pk,
            "code": self.code,
            "sandbox": self.sandbox_kind,
            "reply_to": self.consumer.channel_name,
            "deadline": time.time() + dispatch.DISPATCH_DEADLINE_SECONDS,
        }
        if self.debug is not None:
            request["debug"] = self.debug.to_message()
        return request

    async def _dispatch(self) -> None:
        self.dispatched = True
        request = self._request(str(self.run_id))
        self.deadline = request["deadline"]
        if not await dispatch.send(
            self.consumer.channel_layer, dispatch.request_channel(), request
        ):
            await self.finish_locally("worker_lost", "The run queue is full; try again shortly.")

    async def _wait_for_start(self) -> None:
        assert self.record.execution is not None
        while not self.started and not self.finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.finished.wait(), QUEUE_POLL_SECONDS)
            if self.started or self.finished.is_set():
                return
            if not self.dispatched:
                if await admission().try_dispatch(self.consumer.user.pk, str(self.run_id)):
                    self.record.write(_mark_dispatched, self.record.execution, timezone.now())
                    await self._dispatch()
                    continue
            elif time.time() > self.deadline:
                await self._deadline_passed()
                return
            position = await admission().position(str(self.run_id))
            if position != self.position and not self.started and not self.finished.is_set():
                self.position = position
                await self.emit({"type": "queued", "run_id": self.run_id, "position": position})

    async def _deadline_passed(self) -> None:
        assert self.run_id is not None
        if await dispatch.claims().claim(self.run_id, dispatch.CANCELLED):
            await self.finish_locally(
                "worker_lost",
                f"No pool worker started this run within {dispatch.DISPATCH_DEADLINE_SECONDS:g} s"
                " (the pool is busy or not running). Try again later.",
                error=True,
            )
            return
        # A worker claimed it just now: its `started` is on the way.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.finished.wait(), STARTED_GRACE_SECONDS)
        if not self.started and not self.finished.is_set():
            await self.finish_locally(
                "worker_lost", ExitReason.WORKER_LOST.sentence(None), error=True
            )

    async def _watch_until_exit(self) -> None:
        while not self.finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.finished.wait(), dispatch.HEARTBEAT_SECONDS)
            silent = time.monotonic() - self.last_heard
            if not self.finished.is_set() and silent > dispatch.HEARTBEAT_TIMEOUT_SECONDS:
                await self.finish_locally(
                    "worker_lost",
                    f"Lost contact with the pool worker (no word for {silent:.0f} s);"
                    " the run was abandoned.",
                    error=True,
                )

    # --- Events from the pool worker (called by the consumer) ---

    async def on_started(self, message: dict[str, Any]) -> None:
        await self.queued_sent.wait()
        if self.finished.is_set() or self.started:
            # Too late (already given up on): make sure it stops.
            await dispatch.send(
                self.consumer.channel_layer, message["control"], {"type": dispatch.KILL}
            )
            return
        self.started = True
        self.last_heard = time.monotonic()
        self.control = message["control"]
        await self.emit({"type": "started", "run_id": self.run_id})
        self.controls.start(self.consumer.channel_layer, self.control)
        if self.kill_requested:
            self._spawn(self._send_kill())
        self.started_at = timezone.now()
        self.worker = str(message.get("worker", ""))[:200]
        self._spawn(admission().started(str(self.run_id)))
        self.record.write(
            Execution.mark_started, self.record.execution, self.worker, self.started_at
        )

    async def on_output(self, message: dict[str, Any]) -> None:
        if self.finished.is_set():
            return
        self.last_heard = time.monotonic()
        for stream, text in message.get("chunks", ()):
            if stream == "display":
                # Checked and put in order by the worker (sandbox/side_channel.py).
                await self.emit(self._display_event(text))
                continue
            if stream in DEBUG_EVENTS:
                await self.emit({**text, "type": stream, "run_id": self.run_id})
                continue
            if self.first_output_ms is None:
                self.first_output_ms = int((time.monotonic() - self.requested_at) * 1000)
            self.output_bytes += len(text)
            self._keep_tail(text)
            await self.emit({"type": stream, "run_id": self.run_id, "data": text})
        if not self.record.started:
            # Not at once: the frame above is only in daphne's (Twisted's) write buffer until
            # the loop's next turn, and an ORM thread starting now would hold the GIL then.
            asyncio.get_running_loop().call_later(RECORD_AFTER_OUTPUT_SECONDS, self.record.start)

    def _display_event(self, event: dict[str, Any]) -> dict[str, Any]:
        """The worker's display (with the script line that showed it) as the client's event."""
        line = event.get("line")
        return {
            "type": "display",
            "run_id": self.run_id,
            "mime": event.get("mime"),
            "data": event.get("data"),
            "node_id": self.source_map.get(str(line)) if line is not None else None,
        }

    def on_heartbeat(self) -> None:
        self.last_heard = time.monotonic()

    async def on_exit(self, message: dict[str, Any]) -> None:
        if self.finished.is_set():
            return
        event = exit_event_from_worker(message, self.source_map)
        await self.emit(dict(event))
        self._finish(
            exit_code=event["exit_code"],
            reason=event["reason"],
            message=str(message.get("message") or ""),
            duration_ms=event["duration_ms"],
            node_id=event["node_id"] or "",
            output_bytes=int(message.get("output_bytes") or self.output_bytes),
        )

    # --- Requests from the client ---

    async def stdin(self, data: str) -> None:
        self.controls.stdin(data)

    async def close_stdin(self) -> None:
        self.controls.close_stdin()

    async def resume(self, mode: str) -> None:
        self.controls.resume(mode)

    async def set_breakpoints(self, node_ids: tuple[str, ...]) -> None:
        self.controls.set_breakpoints(node_ids)

    async def kill(self, message: str = "Stopped on request.") -> None:
        """The user's kill: stop the run wherever it is; a worker-run one reports its own exit."""
        if self.finished.is_set() or self.kill_requested:
            return
        self.kill_requested = True
        if self.started:
            await self._send_kill()
        elif not self.dispatched or await self._cancel_unstarted():
            await self.finish_locally("killed", message)

    async def _cancel_unstarted(self) -> bool:
        """Stop a dispatched run we have no `started` for. True: it never starts (claimed here);
        False: a worker claimed it first, and it is killed through its control channel."""
        if await dispatch.claims().claim(str(self.run_id), dispatch.CANCELLED):
            return True
        # Claimed by a worker whose `started` is in flight: kill it through its control channel.
        control = await dispatch.claims().get(str(self.run_id))
        if control and control != dispatch.CANCELLED:
            await dispatch.send(self.consumer.channel_layer, control, {"type": dispatch.KILL})
        return False

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
            self._spawn(self._kill_when_the_layer_answers())

    async def _kill_when_the_layer_answers(self) -> None:
        with contextlib.suppress(Exception):  # given up: the worker's wall limit ends the run
            await KILL_UNTIL_BACK.call(self._send_kill)

    async def abandon(self) -> None:
        """The socket closed: kill the run and record it; nothing more is sent to the client."""
        if self.finished.is_set() or self.admitting:
            return  # an admitting run checks `consumer.closed` itself once admitted
        await self.kill()
        if not self.finished.is_set():
            self._finish(reason="killed", message="The browser disconnected.", exit_code=None)

    async def _send_kill(self) -> None:
        if self.control:
            await dispatch.send(self.consumer.channel_layer, self.control, {"type": dispatch.KILL})

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
        fields.update(
            output_tail="".join(self.tail)[-Execution.OUTPUT_TAIL_BYTES :],
            time_to_first_output=self.first_output_ms,
        )
        fields.setdefault("output_bytes", self.output_bytes)
        if self.started:
            fields.update(started_at=self.started_at, worker=self.worker)
        self.final_fields = fields
        self.consumer.forget(self)
        if self.record.execution is not None:
            # Counted for /metrics here, where the run ends, whether or not the record's write
            # lands (a per-process counter and histogram: no scrape aggregates the table).
            metrics.observe_finished_run(fields.get("reason", ""), self.first_output_ms)
            self._spawn(admission().release(self.consumer.user.pk, str(self.run_id)))
            self.record.write(Execution.mark_finished, self.record.execution, **fields)
            self.record.close()
            self.record.start()

    async def flush_records(self) -> None:
        """Wait for this run's pending database writes (used when the socket closes)."""
        await self.record.flush(seconds=5)
        if self._background:
            await asyncio.wait(set(self._background), timeout=5)

    def _keep_tail(self, text: str) -> None:
        self.tail.append(text)
        self.tail_chars += len(text)
        while (
            self.tail_chars - len(self.tail[0]) >= Execution.OUTPUT_TAIL_BYTES
            and len(self.tail) > 1
        ):
            self.tail_chars -= len(self.tail.pop(0))

    def _spawn(self, awaitable: Awaitable[Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(awaitable)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task
