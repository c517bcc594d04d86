"""A run submitted over REST (`POST /api/runs/`, `POST /api/graphs/{id}/runs/`).

The run is the same ClientRun a socket starts, so it goes through the same compile, admission,
queue, pool, limits and record. What the socket does for a socket run, RestRunHost does here: it
owns a channel of its own on the layer (the worker's replies come to it), routes them to the run,
and writes the run's events to its event log (run_events.py) instead of a socket. It lives on the
web process's event loop until the run ends, independent of the HTTP request that started it.

`start()` returns once the run is admitted and its row exists (so `GET /api/executions/{id}/`
finds it at once), or with the error that refused it (compile error, limits, not found).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any

from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest

from execution.models import Execution
from execution.redis_clients import UNTIL_BACK
from execution.web.admission import Budget
from execution.web.client_run import ClientRun, deliver
from execution.web.messages import RunRequest
from execution.web.run_events import run_events

logger = logging.getLogger("execution.runs")

ADMISSION_TIMEOUT_SECONDS = 30.0  # a graph's compile plus the admission round trip
ROW_TIMEOUT_SECONDS = 5.0
KILL = "rest.kill"  # sent to a host's channel by `POST /api/executions/{id}/kill/`

_hosts: set[RestRunHost] = set()  # keeps the running hosts (and their tasks) referenced
_hosts_by_run: dict[str, RestRunHost] = {}  # the admitted ones, for a wait in this process


@dataclass(frozen=True)
class Started:
    """How a REST run started: `run_id` and `position` when admitted, else `error` (the event
    a socket client would have got)."""

    run_id: str | None = None
    position: int = 0
    error: dict[str, Any] | None = None


class RestRunHost:
    """The RunHost (run_host.py) of one REST run. It keeps no table of runs: it has one, and
    the replies on its channel are all that run's."""

    def __init__(self, user: Any, budget: Budget | None = None) -> None:
        self.user = user
        self.budget = budget  # whose run slots (None: the user's own; a webhook's has its own)
        layer = get_channel_layer()
        assert layer is not None  # settings.CHANNEL_LAYERS always has a default
        self.channel_layer = layer
        self.channel_name = ""
        self.closed = False  # nobody disconnects: a REST run runs to its end
        self.run: ClientRun | None = None
        self._started: asyncio.Future[Started] = asyncio.get_running_loop().create_future()
        self._exit: dict[str, Any] | None = None
        self.ended = asyncio.Event()  # the record is final and the `exit` logged

    async def start(self, request: RunRequest, stdin: str) -> Started:
        self.channel_name = await self.channel_layer.new_channel()
        self.run = ClientRun(self, request, budget=self.budget)
        if stdin:
            self.run.controls.stdin(stdin)  # sent once the run has started
        self.run.controls.close_stdin()  # nobody types: input() past the given text sees EOF
        _hosts.add(self)
        task = asyncio.create_task(self._main(self.run))
        task.add_done_callback(lambda _: _hosts.discard(self))
        try:
            return await asyncio.wait_for(asyncio.shield(self._started), ADMISSION_TIMEOUT_SECONDS)
        except TimeoutError:  # the run goes on, and ends (or is given up on) as any run does
            return Started(
                error={"code": "worker_lost", "message": "The run was not admitted in time."}
            )

    async def _main(self, run: ClientRun) -> None:
        receiver = asyncio.create_task(self._receive(run))
        try:
            await run.main()
        finally:
            receiver.cancel()
            # The host ends with its listener: a listener outliving its run would hold the
            # layer's receive lock of this process for ever (see redis_cancellation.py).
            await asyncio.wait({receiver})
            await run.flush_records()
            if not self._started.done():  # ended before it was admitted (unexpected)
                self._started.set_result(
                    Started(error={"code": "worker_lost", "message": "The run could not start."})
                )
            if self._exit is not None and run.run_id is not None:
                # Last, once the record is final: a reader woken by `exit` reads the final row.
                await run_events().append(run.run_id, self._exit)
            self.ended.set()
            if run.run_id is not None:
                _hosts_by_run.pop(run.run_id, None)

    async def _receive(self, run: ClientRun) -> None:
        """The worker's replies to this run; a channel layer fault ends the run as for a socket."""

        async def layer_failed(exc: BaseException) -> None:
            await run.channel_lost()

        while True:
            message = await UNTIL_BACK.call(
                lambda: self.channel_layer.receive(self.channel_name), layer_failed
            )
            if message.get("type") == KILL:
                await run.kill()
            else:
                await deliver(run, message)

    # --- RunHost ---

    async def send_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if not self._started.done():
            if kind == "queued":
                await self._row_written()
                await cache.aset(
                    _host_key(str(event["run_id"])),
                    self.channel_name,
                    Execution.stale_after().total_seconds(),
                )
                _hosts_by_run[str(event["run_id"])] = self
                self._started.set_result(
                    Started(run_id=str(event["run_id"]), position=int(event["position"]))
                )
            elif kind == "error" and "run_id" not in event:
                self._started.set_result(Started(error=event))
                return
        run_id = event.get("run_id")
        if kind == "exit":
            self._exit = event  # appended by _main once the record is final
        elif run_id is not None:
            await run_events().append(str(run_id), event)

    async def _row_written(self) -> None:
        assert self.run is not None
        self.run.record.start()
        try:
            await asyncio.wait_for(self.run.record.inserted.wait(), ROW_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("run %s: its record was not written in time", self.run.run_id)


def _host_key(run_id: str) -> str:
    return f"nodeengine:rest-run-host:{run_id}"


def host_channel(run_id: str) -> str | None:
    """The channel of the web process hosting REST run `run_id` (any process can kill it)."""
    channel = cache.get(_host_key(run_id))
    return channel if isinstance(channel, str) else None


def server_loop_running(request: HttpRequest) -> bool:
    """Whether this (sync) request is served by the ASGI server, whose event loop a run can live
    on after the request: asgiref's async_to_sync runs there then. Outside it (a WSGI app, a
    management command) async_to_sync would start a loop of its own and end the run with it; so
    it does for an async view (the run routes' wrappers) that a WSGI handler calls, which is why
    the request must have come through the ASGI handler too."""
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    return (
        isinstance(request, ASGIRequest)
        and loop is not None
        and loop.is_running()
        and getattr(local, "main_event_loop_pid", None) == os.getpid()
    )


async def wait_for_local_run(run_id: str, seconds: float) -> bool | None:
    """Wait up to `seconds` for REST run `run_id` hosted by this process to end (its record
    final, its `exit` logged): True when it has, False when time ran out, None when another
    process hosts it (or it has long ended), where only the event log can tell.

    The same end the event log announces (run_events.wait_for_exit), without reading it back:
    a `POST ...?wait` is always answered by the process hosting its run."""
    host = _hosts_by_run.get(run_id)
    if host is None:
        return None
    try:
        await asyncio.wait_for(host.ended.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def start_rest_run(
    user: Any, request: RunRequest, stdin: str = "", budget: Budget | None = None
) -> Started:
    """Start `request` as `user`'s run, in `budget`'s run slots (default: the user's own)."""
    return await RestRunHost(user, budget).start(request, stdin)
