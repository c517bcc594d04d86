"""WebSocket /ws/run/: runs code or graphs in the sandbox pool and streams the output back.

Protocol in docs/interfaces.md; the web <-> pool protocol in execution/dispatch.py. The
consumer stays thin: it parses frames (messages.py), starts one ClientRun task per run
(client_run.py) and routes the pool worker's channel messages to the run they belong to.
Nothing here awaits a run's progress, so stdin and kill are handled while output streams.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from execution import dispatch
from execution.redis_clients import UNTIL_BACK
from execution.web.client_run import ClientRun, deliver
from execution.web.messages import ProtocolError, RunControl, parse_frame

logger = logging.getLogger("execution.consumers")

CLOSE_UNAUTHENTICATED = 4401
FINISHED_IDS_KEPT = 200


class RunConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.runs: dict[str, ClientRun] = {}
        self.finished_ids: collections.deque[str] = collections.deque(maxlen=FINISHED_IDS_KEPT)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.closed = False
        # Accept, then close with an application code, so the client can tell "log in" apart
        # from a network failure (a refused handshake is only an HTTP 403 to the browser).
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            self.closed = True
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return

    # channels' AsyncConsumer.__call__ sets `channel_receive` to the layer's receive and ends the
    # whole consumer (a bare 1011 close) at its first exception, e.g. Redis restarting. The
    # property takes that assignment and hands channels a receive that survives it instead: the
    # runs in flight end with `error` + `exit` (their messages are lost with Redis), the socket
    # stays open, and receiving resumes once Redis answers.
    @property
    def channel_receive(self) -> Any:
        return self._receive_through_layer_faults

    @channel_receive.setter
    def channel_receive(self, receive: Any) -> None:
        self._layer_receive = receive

    async def _receive_through_layer_faults(self) -> dict[str, Any]:
        lost = False

        async def layer_failed(exc: BaseException) -> None:
            nonlocal lost
            if not lost:
                lost = True
                logger.warning("the channel layer failed (%s); ending the runs in flight", exc)
                await self._end_runs_in_flight()

        message: dict[str, Any] = await UNTIL_BACK.call(self._layer_receive, layer_failed)
        if lost:
            logger.info("the channel layer answers again")
        return message

    async def _end_runs_in_flight(self) -> None:
        for run in list(self.runs.values()):
            try:
                await run.channel_lost()
            except Exception:
                logger.exception(
                    "run %s: could not end it after the channel layer failed", run.run_id
                )

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Call the handler without channels' per-message `aclose_old_connections()`.

        channels >= 4.2 runs close_old_connections in the sync thread before every handler: a
        thread hop for each client frame and each `run.output` batch, a few ms each on a busy
        host, on the path from `run` to the first output. This consumer never uses the database
        from the event loop: its ORM calls go through run_record.db(), which cleans up the
        connection of its own thread around each call.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        self.closed = True
        # Run tasks are not cancelled: one may be inside its admission transaction, and it must
        # see `closed` afterwards and record the run as killed rather than leave it queued.
        runs = list(getattr(self, "runs", {}).values())
        for run in runs:
            try:
                await run.abandon()
            except Exception:
                logger.exception("run %s: could not stop it after the socket closed", run.run_id)
        for run in runs:
            await run.flush_records()

    # --- Frames from the browser ---

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed:
            return
        try:
            message = parse_frame(text_data, bytes_data)
            if isinstance(message, RunControl):
                await self._control(message)
            else:
                self._check_run_capacity(message.ref)
                self._spawn(ClientRun(self, message, table=self).main())
        except ProtocolError as exc:
            await self.send_event(exc.event())

    def _check_run_capacity(self, ref: str | None) -> None:
        """Refuse a run beyond the per-user limit before it costs anything.

        Admission enforces the limit too, but only after a graph run was loaded and compiled:
        without this check a flood of `run` frames would queue unbounded compiles and database
        calls (in threads shared by every socket of this process) just to be refused.
        """
        limit = settings.RUNS_PER_USER + settings.RUNS_QUEUED_PER_USER
        if len(self.tasks) >= limit:
            raise ProtocolError(
                "refused",
                f"This connection already has {len(self.tasks)} runs starting, running or queued"
                f" (limit {settings.RUNS_PER_USER} running + {settings.RUNS_QUEUED_PER_USER}"
                " queued). Wait for one to finish.",
                ref=ref,
            )

    async def _control(self, message: RunControl) -> None:
        run = self.runs.get(message.run_id)
        if run is None:
            if message.run_id in self.finished_ids:
                if message.type == "kill":
                    return  # killing a finished run is harmless
                raise ProtocolError(
                    "bad_message", "This run has already finished.", run_id=message.run_id
                )
            raise ProtocolError(
                "not_found", "No run with this run_id on this connection.", run_id=message.run_id
            )
        if message.type == "stdin":
            run.controls.stdin(message.data)
        elif message.type == "stdin_eof":
            run.controls.close_stdin()
        elif message.type == "resume":
            run.controls.resume(message.data)
        elif message.type == "breakpoints":
            run.controls.set_breakpoints(message.nodes)
        else:
            await run.kill()

    # --- Messages from pool workers (channel layer; "run.started" -> run_started) ---

    async def run_started(self, message: dict[str, Any]) -> None:
        run = self.runs.get(str(message.get("run_id")))
        if run is not None:
            await deliver(run, message)
        elif isinstance(message.get("control"), str):
            # The run ended here (socket closed, gave up): make sure the sandbox stops too.
            await dispatch.send(self.channel_layer, message["control"], {"type": dispatch.KILL})

    async def _to_run(self, message: dict[str, Any]) -> None:
        run = self.runs.get(str(message.get("run_id")))
        if run is not None:
            await deliver(run, message)

    run_output = run_heartbeat = run_exit = _to_run

    # --- RunHost and RunTable (run_host.py) of this socket's runs ---

    async def send_event(self, event: dict[str, Any]) -> None:
        if not self.closed:
            await self.send(text_data=json.dumps(event, ensure_ascii=False))

    def register(self, run: ClientRun) -> None:
        assert run.run_id is not None
        self.runs[run.run_id] = run

    def unregister(self, run: ClientRun) -> None:
        if run.run_id is not None:
            self.runs.pop(run.run_id, None)

    def forget(self, run: ClientRun) -> None:
        if run.run_id is not None and self.runs.pop(run.run_id, None) is not None:
            self.finished_ids.append(run.run_id)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
