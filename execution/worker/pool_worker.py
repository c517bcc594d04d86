"""The pool worker runtime: glues the channel layer to a SandboxPool (protocol in dispatch.py).

One serving loop: take a warm sandbox from the pool, then (and only then) take the oldest run
request from the shared channel, claim it and run it in its own task (worker_run.py). Runs in
flight get a heartbeat every second, stdin / kill arrive on a per-run control channel, and
output is sent coalesced: a chunk goes out as soon as the previous send finished and
FLUSH_INTERVAL_SECONDS have passed since it, so a quiet program's first line costs no extra
latency while a chatty one is batched into few, large messages. After starting a run the loop
takes its next sandbox only once that run's first output has gone out (REFILL_HOLDOFF_SECONDS
at most): taking it makes the pool start a replacement container, and Docker's CPU should not be
shared with that output.

The same class serves `manage.py runpool` and embedded mode (inside the web process).
Give it a channel layer instance of its own (`private_layer()`): channels-redis serialises all
receives on process-specific channels of one layer instance behind one lock, so another part of
the process receiving on a channel of a different prefix would stall this worker's stdin / kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from execution import dispatch
from execution.sandbox import PoolClosed, Sandbox, SandboxPool
from execution.sandbox_kind import KINDS, sandbox_kind

from .worker_run import InflightRun, WorkerRun

logger = logging.getLogger("execution.worker")

REFILL_HOLDOFF_SECONDS = 0.05  # at most this long a new run delays taking the next sandbox
# A request taken with a sandbox that died meanwhile waits this long for another one.
REPLACE_SANDBOX_SECONDS = 10.0


def sandbox_usable(sandbox: Sandbox) -> bool:
    """A held sandbox may still take a run: its container lives and no recycle replaced it."""
    return sandbox.alive and not sandbox.stale


def private_layer() -> Any:
    """A channel layer instance used by nobody else in this process (see the module docstring)."""
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


def wanted_kind(request: dict[str, Any]) -> str:
    """The sandbox kind a request wants: its `sandbox` field, or (from a web process that
    predates kinds) what its code says."""
    kind = request.get("sandbox")
    return kind if kind in KINDS else sandbox_kind(request["code"])


class PoolWorker:
    def __init__(self, pool: SandboxPool, layer: Any, name: str) -> None:
        self.pool = pool
        self.layer = layer
        self.name = name
        self.inflight: dict[str, InflightRun] = {}
        self._serve_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._run_tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.draining = False  # set by an operator (fleet_member.py): take no new runs

    def drain(self) -> None:
        self.draining = True

    def undrain(self) -> None:
        self.draining = False

    async def kill_run(self, run_id: str) -> bool:
        state = self.inflight.get(run_id)
        if state is None:
            return False
        await state.stop("killed", "Stopped by an operator.")
        return True

    async def start(self) -> None:
        self._serve_task = asyncio.create_task(self._serve(), name=f"pool-worker-{self.name}")
        self._heartbeat_task = asyncio.create_task(self._heartbeats())

    async def _serve(self) -> None:
        channel = dispatch.request_channel()
        sandbox: Sandbox | None = None
        while not self._stopping:
            if self.draining:
                await asyncio.sleep(0.2)
                continue
            try:
                if sandbox is not None and not sandbox_usable(sandbox):
                    await sandbox.discard()  # died (or was recycled) while held: never run on it
                    sandbox = None
                if sandbox is None:
                    sandbox = await self.pool.acquire()
                request = await self._receive_unless_drained(channel, sandbox)
                if request is None:
                    continue  # drained (or the held sandbox died): the request stays queued
            except asyncio.CancelledError:
                raise
            except PoolClosed:
                return  # the pool is shutting down (SIGTERM, or daphne stopping in embedded mode)
            except Exception:
                logger.exception("worker %s: could not take a request; retrying", self.name)
                await asyncio.sleep(1.0)
                continue
            if not self._acceptable(request):
                continue  # keep the warm sandbox for the next request
            # The kind of sandbox the web side asked for: a warm one of that kind instead of the
            # held one when there is one (the held one goes back to the pool), else the held one.
            sandbox = self.pool.exchange(sandbox, wanted_kind(request))
            if not sandbox_usable(sandbox):
                # It died between the receive and now: take another, or give the request back.
                sandbox = await self._replace_sandbox(sandbox, request, channel)
                if sandbox is None:
                    continue
            # Default prefix on purpose: channels-redis pops every process-specific channel of one
            # prefix with a single blocking read, but a reader of another prefix holds its receive
            # lock for up to 5 s, which would delay stdin and kill by as much.
            control = await self.layer.new_channel()
            # The claim sends `started` in the same round trip (when the reply channel is on the
            # claims' Redis): one round trip before the script reaches the sandbox, as the claim
            # alone was, and output does not wait behind a separate `started` send.
            claimed, announced = await dispatch.claims().claim_and_send(
                request["run_id"],
                control,
                self.layer,
                request["reply_to"],
                self._started(request, control),
            )
            if not claimed:
                logger.info("run %s: already claimed (cancelled or duplicate)", request["run_id"])
                continue
            under_way = asyncio.Event()
            task = asyncio.create_task(
                self._run(sandbox, request, control, under_way, announced=announced)
            )
            self._run_tasks.add(task)
            task.add_done_callback(self._run_tasks.discard)
            sandbox = None
            # Taking the next sandbox makes the pool start a replacement container, seconds of
            # CPU for Docker on a small host: let this run's first output go out first (or the
            # run end, or a short while pass), so the replacement does not compete with it.
            # Unless taking one starts nothing now (the pool starts as many as it ever does at
            # once, or defers its starts during a burst): a class pressing Run would only wait.
            if not self._pool_starts_at_capacity():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(under_way.wait(), REFILL_HOLDOFF_SECONDS)

    def _pool_starts_at_capacity(self) -> bool:
        return self.pool.starts_nothing_now()

    async def _receive_unless_drained(self, channel: str, sandbox: Sandbox | None = None) -> Any:
        """The next request, or None if an operator drains this worker while it waits, or the
        held `sandbox` dies (e.g. a Docker engine restart) or is recycled meanwhile.

        Cancelling a channels-redis receive loses nothing: the message goes back to the queue.
        """
        receive = asyncio.ensure_future(self.layer.receive(channel))
        request = None
        try:
            while not (self.draining or self._stopping) and (
                sandbox is None or sandbox_usable(sandbox)
            ):
                done, _ = await asyncio.wait({receive}, timeout=0.2)
                if done:
                    request = receive.result()
                    break
        finally:
            if not receive.done():
                receive.cancel()
        if request is None:
            with contextlib.suppress(asyncio.CancelledError):
                request = await receive  # it completed before the cancel took effect
        if request is not None and (self.draining or self._stopping):
            # A drain (or stop) that came while the request was on its way: this worker takes
            # no new run, so the request goes back to the queue for another (or for later).
            await dispatch.send(self.layer, channel, request)
            return None
        return request

    async def _replace_sandbox(
        self, dead: Sandbox, request: dict[str, Any], channel: str
    ) -> Sandbox | None:
        """A live sandbox instead of `dead` for `request`; None when none came in time, and then
        the request goes back to the queue (unclaimed) for this or another worker."""
        await dead.discard()
        try:
            return await self.pool.acquire(
                timeout=REPLACE_SANDBOX_SECONDS, kind=wanted_kind(request)
            )
        except Exception as exc:
            logger.warning(
                "run %s: no live sandbox (%s); returning it to the queue", request["run_id"], exc
            )
            with contextlib.suppress(Exception):  # lost then: the consumer's deadline reports it
                await dispatch.send(self.layer, channel, request)
            return None

    def _started(self, request: dict[str, Any], control: str) -> dict[str, Any]:
        """The `run.started` message of `request`, naming the run's control channel."""
        return {
            "type": dispatch.STARTED,
            "run_id": request["run_id"],
            "control": control,
            "worker": self.name,
        }

    def _acceptable(self, request: Any) -> bool:
        if not isinstance(request, dict) or request.get("type") != dispatch.REQUEST:
            logger.warning("worker %s: ignoring a malformed request", self.name)
            return False
        if not all(isinstance(request.get(k), str) for k in ("run_id", "code", "reply_to")):
            logger.warning("worker %s: ignoring a request without run_id/code/reply_to", self.name)
            return False
        if float(request.get("deadline") or 0) < time.time():
            logger.info("run %s: request expired before a worker took it", request["run_id"])
            return False
        return True

    async def _run(
        self,
        sandbox: Sandbox,
        request: dict[str, Any],
        control: str,
        under_way: asyncio.Event | None = None,
        announced: bool = False,
    ) -> None:
        """Run a claimed request; `announced`: its `run.started` has been sent already."""
        state = InflightRun(request["run_id"], request["reply_to"], sandbox)
        self.inflight[state.run_id] = state
        try:
            await WorkerRun(
                self.layer,
                self.name,
                state,
                request,
                control,
                started=None if announced else self._started(request, control),
                under_way=under_way or asyncio.Event(),
            ).run()
        finally:
            self.inflight.pop(state.run_id, None)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(dispatch.HEARTBEAT_SECONDS)
            for run_id, state in list(self.inflight.items()):
                with contextlib.suppress(Exception):
                    await self.layer.send(
                        state.reply_to, {"type": dispatch.HEARTBEAT, "run_id": run_id}
                    )

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking runs, give in-flight runs `grace` seconds, then kill them (worker_lost)."""
        self._stopping = True
        if self._serve_task is not None:
            self._serve_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._serve_task
        if self._run_tasks:
            logger.info(
                "worker %s: waiting up to %ss for %d runs", self.name, grace, len(self._run_tasks)
            )
            _, pending = await asyncio.wait(set(self._run_tasks), timeout=grace)
            if pending:
                for state in list(self.inflight.values()):
                    with contextlib.suppress(Exception):
                        await state.stop("worker_lost", "The pool worker shut down during the run.")
                await asyncio.wait(pending, timeout=5.0)
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
