"""The pool worker runtime: glues the channel layer to a SandboxPool (protocol in dispatch.py).

One serving loop: take a warm sandbox from the pool, then (and only then) take the oldest run
request from the shared channel, claim it and run it in its own task. Runs in flight get a
heartbeat every second, stdin / kill arrive on a per-run control channel, and output is sent
coalesced: a chunk goes out as soon as the previous send finished and FLUSH_INTERVAL_SECONDS
have passed since it, so a quiet program's first line costs no extra latency while a chatty one
is batched into few, large messages. After starting a run the loop takes its next sandbox only
once that run's first output has gone out (REFILL_HOLDOFF_SECONDS at most): taking it makes the
pool start a replacement container, and Docker's CPU should not be shared with that output.

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
from execution.debug_table import RESUME_MODES, DebugTable
from execution.protocol import RunExit, run_exit
from execution.sandbox import PoolClosed
from execution.sandbox_kind import KINDS, sandbox_kind
from nodeengine.logging import log_event

from .output_streamer import OutputStreamer

logger = logging.getLogger("execution.worker")

REFILL_HOLDOFF_SECONDS = 0.05  # at most this long a new run delays taking the next sandbox
# A request taken with a sandbox that died meanwhile waits this long for another one.
REPLACE_SANDBOX_SECONDS = 10.0
# What the worker sends its own listener on a run's control channel once the run is over; the
# consumer never sends it (its control messages are dispatch.STDIN, KILL, ...).
LISTENER_DONE = "run.listener_done"
# How long a finished run's listener may take to read that before it is cancelled instead.
LISTENER_DONE_SECONDS = 1.0


def sandbox_usable(sandbox: Any) -> bool:
    """A held sandbox may still take a run: its container lives and no recycle replaced it."""
    return bool(sandbox.alive) and not getattr(sandbox, "stale", False)


def private_layer() -> Any:
    """A channel layer instance used by nobody else in this process (see the module docstring)."""
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


def debug_table(request: dict[str, Any]) -> DebugTable | None:
    """The debug table of a debug run's request (None for a plain run)."""
    if request.get("debug") is None:
        return None
    return DebugTable.from_message(request["debug"])


def wanted_kind(request: dict[str, Any]) -> str:
    """The sandbox kind a request wants: its `sandbox` field, or (from a web process that
    predates kinds) what its code says."""
    kind = request.get("sandbox")
    return kind if kind in KINDS else sandbox_kind(request["code"])


def _node_indices(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    )


class PoolWorker:
    def __init__(self, pool: Any, layer: Any, name: str) -> None:
        self.pool = pool
        self.layer = layer
        self.name = name
        self.inflight: dict[str, dict[str, Any]] = {}
        self._serve_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._run_tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.draining = False  # set by an operator (execution/fleet.py): take no new runs

    def drain(self) -> None:
        self.draining = True

    def undrain(self) -> None:
        self.draining = False

    async def kill_run(self, run_id: str) -> bool:
        state = self.inflight.get(run_id)
        if state is None:
            return False
        state["stop_reason"] = "killed"
        state["stop_message"] = "Stopped by an operator."
        await state["sandbox"].kill()
        return True

    async def start(self) -> None:
        self._serve_task = asyncio.create_task(self._serve(), name=f"pool-worker-{self.name}")
        self._heartbeat_task = asyncio.create_task(self._heartbeats())

    async def _serve(self) -> None:
        channel = dispatch.request_channel()
        sandbox = None
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
        starts_nothing = getattr(self.pool, "starts_nothing_now", None)
        return bool(starts_nothing and starts_nothing())

    async def _receive_unless_drained(self, channel: str, sandbox: Any = None) -> Any:
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

    async def _replace_sandbox(self, dead: Any, request: dict[str, Any], channel: str) -> Any:
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
        sandbox: Any,
        request: dict[str, Any],
        control: str,
        under_way: asyncio.Event | None = None,
        announced: bool = False,
    ) -> None:
        """Run a claimed request; `announced`: its `run.started` has been sent already."""
        run_id, reply_to = request["run_id"], request["reply_to"]
        state: dict[str, Any] = {
            "run_id": run_id,
            "reply_to": reply_to,
            "sandbox": sandbox,
            "stop_reason": None,
        }
        self.inflight[run_id] = state
        log_event(
            logger,
            "run.start",
            run_id=run_id,
            user_id=request.get("user_id"),
            worker=self.name,
            # How an operator finds a short run's container (long runs also get it renamed).
            container=getattr(sandbox, "name", None),
            sandbox=getattr(sandbox, "kind", None),
        )
        listener = asyncio.create_task(self._listen(control, sandbox, state))
        # Unless the claim sent it, `started` travels while the script is already being sent to
        # the sandbox; the streamer holds output back until it has gone, so the order on the
        # reply channel is kept.
        started = None
        if not announced:
            started = asyncio.ensure_future(
                dispatch.send(self.layer, reply_to, self._started(request, control))
            )
        under_way = under_way or asyncio.Event()

        async def lost() -> None:
            await self._lose_run(run_id, sandbox, state)

        streamer = OutputStreamer(
            self.layer, reply_to, run_id, after=started, sent=under_way, on_lost=lost
        )

        exit_event: RunExit
        try:
            try:
                result = await sandbox.run(
                    request["code"],
                    streamer.on_output,
                    run_id=run_id,
                    debug=debug_table(request),
                    on_event=streamer.on_event,
                )
                reason = state["stop_reason"] or result.reason
                exit_event = run_exit(
                    run_id,
                    exit_code=result.exit_code,
                    reason=reason,
                    duration_ms=round(result.duration * 1000),
                    output_bytes=result.output_bytes,
                    error_line=result.error_line,
                    message=state.get("stop_message")
                    or result.message
                    or dispatch.exit_message(reason, result.exit_code),
                )
            except Exception as exc:
                log_event(
                    logger,
                    "run.failed",
                    logging.ERROR,
                    run_id=run_id,
                    user_id=request.get("user_id"),
                    worker=self.name,
                    error=repr(exc)[:300],
                )
                logger.exception("run %s: the sandbox failed", run_id)
                exit_event = run_exit(
                    run_id,
                    exit_code=None,
                    reason="worker_lost",
                    duration_ms=0,
                    output_bytes=0,
                    error_line=None,
                    message=f"The sandbox failed: {exc.__class__.__name__}.",
                )
            try:
                await streamer.close()
            except Exception:  # its own bug: the output ends here, the exit still goes out
                logger.exception("run %s: the output streamer failed", run_id)
            try:
                await dispatch.send(self.layer, reply_to, dict(exit_event))
            except Exception as exc:  # the client has been told by its own side (channel_lost)
                if not dispatch.is_connection_error(exc):
                    raise
                logger.warning("run %s: exit not delivered: %s", run_id, exc)
            log_event(
                logger,
                "run.end",
                run_id=run_id,
                user_id=request.get("user_id"),
                worker=self.name,
                reason=exit_event["reason"],
                exit_code=exit_event["exit_code"],
                duration_ms=exit_event["duration_ms"],
                output_bytes=exit_event["output_bytes"],
            )
        finally:
            under_way.set()
            await self._stop_listening(control, listener)
            self.inflight.pop(run_id, None)

    async def _stop_listening(self, control: str, listener: asyncio.Task[None]) -> None:
        """End a finished run's control listener by a message of its own where it waits.

        Cancelled instead, it would usually be in channels-redis' blocking pop, and redis-py drops
        a connection whose command was cancelled: the next run's listener would then reconnect
        (connect, HELLO, SELECT: round trips and event-loop time) just as its script starts.
        """
        try:
            if not listener.done():
                await self.layer.send(control, {"type": LISTENER_DONE})
                await asyncio.wait({listener}, timeout=LISTENER_DONE_SECONDS)
        except Exception:  # the layer failed: the cancel below is all there is to do
            logger.debug("run control %s: listener not stopped by message", control, exc_info=True)
        finally:
            listener.cancel()

    async def _lose_run(self, run_id: str, sandbox: Any, state: dict[str, Any]) -> None:
        """The channel layer failed under a run: nobody sees its output or can steer it, so it
        ends now (its container goes as after any run) rather than at its wall limit."""
        if state["stop_reason"] is not None:
            return
        state["stop_reason"] = "worker_lost"
        state["stop_message"] = "The connection to the run queue failed; the run was stopped."
        log_event(logger, "run.channel_lost", logging.WARNING, run_id=run_id, worker=self.name)
        with contextlib.suppress(Exception):
            await sandbox.kill()

    async def _listen(self, control: str, sandbox: Any, state: dict[str, Any]) -> None:
        """stdin / stdin_eof / kill from the consumer; never blocks the output path."""
        while True:
            try:
                message = await self.layer.receive(control)
            except Exception as exc:
                if not dispatch.is_connection_error(exc):
                    raise
                await self._lose_run(state["run_id"], sandbox, state)
                return
            kind = message.get("type")
            if kind == LISTENER_DONE:
                return
            try:
                if kind == dispatch.STDIN and isinstance(message.get("data"), str):
                    await sandbox.write_stdin(message["data"])
                elif kind == dispatch.STDIN_EOF:
                    await sandbox.close_stdin()
                elif kind == dispatch.KILL:
                    await sandbox.kill()
                elif kind == dispatch.RESUME and message.get("mode") in RESUME_MODES:
                    await sandbox.resume(message["mode"])
                elif kind == dispatch.BREAKPOINTS and _node_indices(message.get("nodes")):
                    await sandbox.set_breakpoints(message["nodes"])
            except asyncio.CancelledError:
                raise
            except Exception:  # the run may just have ended; the sandbox reports the outcome
                logger.debug("control %s on a finished sandbox ignored", kind, exc_info=True)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(dispatch.HEARTBEAT_SECONDS)
            for run_id, state in list(self.inflight.items()):
                with contextlib.suppress(Exception):
                    await self.layer.send(
                        state["reply_to"], {"type": dispatch.HEARTBEAT, "run_id": run_id}
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
                    state["stop_reason"] = "worker_lost"
                    state["stop_message"] = "The pool worker shut down during the run."
                    with contextlib.suppress(Exception):
                        await state["sandbox"].kill()
                await asyncio.wait(pending, timeout=5.0)
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
