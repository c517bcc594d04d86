"""One claimed run request on a pool worker: from its sandbox's script to its `exit` message.

The run's output goes back through an OutputStreamer (coalesced, after `started`); stdin, kill
and a debug run's resume / breakpoints arrive on the run's own control channel, read by a
listener task that never blocks the output path. When the channel layer fails under a run,
nobody sees its output or can steer it, so it is killed (`lose`) rather than left to its limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from execution import dispatch
from execution.debug_table import RESUME_MODES, DebugTable
from execution.exit_reasons import exit_message
from execution.protocol import RunExit, run_exit
from execution.sandbox import Sandbox
from nodeengine.logging import log_event

from .output_streamer import OutputStreamer

logger = logging.getLogger("execution.worker")

# What the worker sends its own listener on a run's control channel once the run is over; the
# consumer never sends it (its control messages are dispatch.STDIN, KILL, ...).
LISTENER_DONE = "run.listener_done"
# How long a finished run's listener may take to read that before it is cancelled instead.
LISTENER_DONE_SECONDS = 1.0


@dataclass
class InflightRun:
    """A run in flight on this worker, as the heartbeats, an operator's kill and a stopping
    worker see it. A stop reason set here replaces the sandbox's own in the run's exit."""

    run_id: str
    reply_to: str
    sandbox: Sandbox
    stop_reason: str | None = None
    stop_message: str | None = None

    async def stop(self, reason: str, message: str) -> None:
        """Kill the run, reporting `reason` and `message` as its exit's."""
        self.stop_reason, self.stop_message = reason, message
        await self.sandbox.kill()


def debug_table(request: dict[str, Any]) -> DebugTable | None:
    """The debug table of a debug run's request (None for a plain run)."""
    if request.get("debug") is None:
        return None
    return DebugTable.from_message(request["debug"])


def run_inputs(request: dict[str, Any]) -> bytes | None:
    """A graph run's inputs as the sandbox takes them: the request carries their JSON text
    (validated by the web side; text, so the channel layer's msgpack never sees a value it
    cannot carry, such as an integer past 64 bits)."""
    inputs = request.get("inputs")
    return inputs.encode("utf-8") if isinstance(inputs, str) else None


def _node_indices(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    )


class WorkerRun:
    def __init__(
        self,
        layer: Any,
        worker_name: str,
        inflight: InflightRun,
        request: dict[str, Any],
        control: str,
        started: dict[str, Any] | None,
        under_way: asyncio.Event,
    ) -> None:
        self.layer = layer
        self.worker_name = worker_name
        self.state = inflight
        self.request = request
        self.control = control
        self.started = started  # the `run.started` to send, unless the claim sent it
        self.under_way = under_way  # set once the first output has gone out (or the run ended)

    async def run(self) -> None:
        state, request = self.state, self.request
        run_id, reply_to, sandbox = state.run_id, state.reply_to, state.sandbox
        log_event(
            logger,
            "run.start",
            run_id=run_id,
            user_id=request.get("user_id"),
            worker=self.worker_name,
            # How an operator finds a short run's container (long runs also get it renamed).
            container=sandbox.name,
            sandbox=sandbox.kind,
        )
        listener = asyncio.create_task(self._listen())
        # Unless the claim sent it, `started` travels while the script is already being sent to
        # the sandbox; the streamer holds output back until it has gone, so the order on the
        # reply channel is kept.
        started = None
        if self.started is not None:
            started = asyncio.ensure_future(dispatch.send(self.layer, reply_to, self.started))
        streamer = OutputStreamer(
            self.layer, reply_to, run_id, after=started, sent=self.under_way, on_lost=self.lose
        )
        try:
            exit_event = await self._sandbox_run(streamer)
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
                worker=self.worker_name,
                reason=exit_event["reason"],
                exit_code=exit_event["exit_code"],
                duration_ms=exit_event["duration_ms"],
                output_bytes=exit_event["output_bytes"],
            )
        finally:
            self.under_way.set()
            await self._stop_listening(listener)

    async def _sandbox_run(self, streamer: OutputStreamer) -> RunExit:
        """The script run in the sandbox, as the run's `exit` message (never raises)."""
        state, request = self.state, self.request
        try:
            result = await state.sandbox.run(
                request["code"],
                streamer.on_output,
                run_id=state.run_id,
                debug=debug_table(request),
                on_event=streamer.on_event,
                inputs=run_inputs(request),
            )
            reason = state.stop_reason or result.reason
            return run_exit(
                state.run_id,
                exit_code=result.exit_code,
                reason=reason,
                duration_ms=round(result.duration * 1000),
                output_bytes=result.output_bytes,
                error_line=result.error_line,
                message=state.stop_message
                or result.message
                or exit_message(reason, result.exit_code),
            )
        except Exception as exc:
            log_event(
                logger,
                "run.failed",
                logging.ERROR,
                run_id=state.run_id,
                user_id=request.get("user_id"),
                worker=self.worker_name,
                error=repr(exc)[:300],
            )
            logger.exception("run %s: the sandbox failed", state.run_id)
            return run_exit(
                state.run_id,
                exit_code=None,
                reason="worker_lost",
                duration_ms=0,
                output_bytes=0,
                error_line=None,
                message=f"The sandbox failed: {exc.__class__.__name__}.",
            )

    async def _stop_listening(self, listener: asyncio.Task[None]) -> None:
        """End a finished run's control listener by a message of its own where it waits.

        Cancelled instead, it would usually be in channels-redis' blocking pop, and redis-py drops
        a connection whose command was cancelled: the next run's listener would then reconnect
        (connect, HELLO, SELECT: round trips and event-loop time) just as its script starts.
        """
        try:
            if not listener.done():
                await self.layer.send(self.control, {"type": LISTENER_DONE})
                await asyncio.wait({listener}, timeout=LISTENER_DONE_SECONDS)
        except Exception:  # the layer failed: the cancel below is all there is to do
            logger.debug(
                "run control %s: listener not stopped by message", self.control, exc_info=True
            )
        finally:
            listener.cancel()

    async def lose(self) -> None:
        """The channel layer failed under the run: nobody sees its output or can steer it, so it
        ends now (its container goes as after any run) rather than at its wall limit."""
        state = self.state
        if state.stop_reason is not None:
            return
        state.stop_reason = "worker_lost"
        state.stop_message = "The connection to the run queue failed; the run was stopped."
        log_event(
            logger,
            "run.channel_lost",
            logging.WARNING,
            run_id=state.run_id,
            worker=self.worker_name,
        )
        with contextlib.suppress(Exception):
            await state.sandbox.kill()

    async def _listen(self) -> None:
        """stdin / stdin_eof / kill from the consumer; never blocks the output path."""
        sandbox = self.state.sandbox
        while True:
            try:
                message = await self.layer.receive(self.control)
            except Exception as exc:
                if not dispatch.is_connection_error(exc):
                    raise
                await self.lose()
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
