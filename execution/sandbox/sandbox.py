"""One warm container and the single run it serves: streaming output, stdin, kill, and the
limits the pool enforces from outside (wall time, output size)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from execution.debug_table import DebugTable
from execution.exit_reasons import ExitReason
from execution.sandbox_kind import LIGHT

from . import container as docker_ops
from .limits import RunLimits
from .output_pump import OnEvent, OnOutput, OutputPump
from .protocol import (
    EXIT_CPU_LIMIT,
    EXIT_WALL_LIMIT,
    READY_MARKER,
    FrameDecoder,
    encode_script,
    error_line_from_stderr,
    last_exception_name,
)
from .run_clock import RunClock
from .side_channel import (
    STDIN_DATA,
    STDIN_EOF,
    SideChannel,
    control_frame,
    stdin_frame,
)
from .stream import AttachProtocol

T = TypeVar("T")


class SandboxHost(Protocol):
    """What a sandbox needs of the pool that made it (SandboxPool is one): Docker calls made
    on its behalf (with the pool's retries and engine handling), and being let go."""

    async def call_docker(self, fn: Callable[..., T], *args: Any, critical: bool = False) -> T: ...

    def retire(self, sandbox: Sandbox) -> None: ...

    def label_run(self, sandbox: Sandbox, run_id: str) -> None: ...


logger = logging.getLogger(__name__)

# A container's exit status when SIGKILL ended its PID 1 (or gVisor's sandbox) from outside.
EXIT_KILLED = 128 + 9
# After a kill, how long the output already written may still take to arrive.
KILL_GRACE_SECONDS = 2.0
# How long Docker may take to report the exit state of a container that has stopped.
EXIT_STATE_TIMEOUT_SECONDS = 10.0


class SandboxError(Exception):
    """A sandbox refused an operation; the message says why, in words for the user."""


class StdinLimitExceeded(SandboxError):
    pass


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None  # None when the container's fate is unknown (engine lost)
    reason: ExitReason
    duration: float  # seconds from sending the script to the end of its output
    output_bytes: int  # stdout + stderr bytes delivered (at most RunLimits.output_bytes)
    error_line: int | None  # main.py line of an uncaught exception's innermost frame
    message: str | None = None  # why the pool ended it, when a generic sentence would not say


def classify(
    forced: ExitReason | None,
    exit_code: int | None,
    oom_killed: bool,
    stderr_tail: str,
    reported: bool = True,
) -> ExitReason:
    """Why a run ended. A reason the pool forced (kill, wall time, output cap) wins.

    `reported`: the runner's exit record said how it ended (`oom_killed` is then its memory
    flag). Without one the container died from outside, and an exit by SIGKILL the pool did not
    send is the memory cgroup's OOM killer (under gVisor it kills the sandbox itself, and
    Docker's OOMKilled is not reliable: see `Sandbox.run`).
    """
    if forced is not None:
        return forced
    if exit_code is None:
        return ExitReason.WORKER_LOST
    if oom_killed or (not reported and exit_code == EXIT_KILLED):
        return ExitReason.MEMORY
    if exit_code == 0:
        return ExitReason.OK
    if exit_code == EXIT_CPU_LIMIT:
        return ExitReason.CPU_LIMIT
    if exit_code == EXIT_WALL_LIMIT:
        return ExitReason.TIMEOUT  # the runner's own clock, when the pool's did not ring first
    if exit_code == 1 and last_exception_name(stderr_tail) == "MemoryError":
        return ExitReason.MEMORY
    return ExitReason.ERROR


class Sandbox:
    """A container whose interpreter waits for one script. Serves exactly one run."""

    def __init__(
        self,
        pool: SandboxHost,
        started: docker_ops.StartedContainer,
        protocol: AttachProtocol,
        limits: RunLimits,
        kind: str = LIGHT,
    ) -> None:
        self._pool = pool
        # light or data (execution/sandbox_kind.py): whether the data stack is preloaded.
        self.kind = kind
        self.id = started.id
        self.name = started.name
        self.run_id: str | None = None
        self._protocol = protocol
        self._limits = limits
        self._state: Literal["warm", "running", "done"] = "warm"
        self._forced: ExitReason | None = None
        self._forced_message: str | None = None
        self._side: SideChannel | None = None  # the run's side channel (display, debug)
        self._debugging = False  # a debug run: stdin is framed and carries controls
        self._clock: RunClock | None = None
        self._output: OutputPump | None = None
        self._kill_task: asyncio.Task[None] | None = None
        self._pending_stdin: list[bytes] = []
        self._stdin_bytes = 0
        self._stdin_closed = False
        self.warm_since = time.monotonic()
        self._frames = FrameDecoder()
        # Set by pool.recycle() on a sandbox acquired but not yet running: its holder should
        # discard() it and acquire a fresh one (it still runs if asked to).
        self.stale = False

    async def wait_ready(self) -> None:
        """Consume the runner's ready marker: from then on the interpreter waits for a script.
        Raises SandboxError (with what the runner said instead) if anything else comes."""
        got = b""
        while len(got) < len(READY_MARKER) and READY_MARKER.startswith(got):
            data = await self._protocol.read()
            if not data:
                raise SandboxError(f"The sandbox exited before it was ready: {got[:500]!r}")
            got += b"".join(payload for _, payload in self._frames.feed(data))
        if got != READY_MARKER:
            raise SandboxError(f"Unexpected output from the sandbox runner: {got[:500]!r}")

    @property
    def alive(self) -> bool:
        return not self._protocol.at_eof

    @property
    def running(self) -> bool:
        return self._state == "running"

    # --- the run ---
    async def run(
        self,
        code: str,
        on_output: OnOutput,
        *,
        run_id: str | None = None,
        debug: DebugTable | None = None,
        on_event: OnEvent | None = None,
        inputs: bytes | None = None,
    ) -> RunResult:
        """Run `code` as main.py; await on_output(stream, text) for each piece of output.

        `inputs`: a graph run's inputs, the UTF-8 JSON of an object (at most
        `limits.inputs_bytes`); the script finds it decoded as `_ne_inputs` (data, never code).

        on_output is awaited before more output is read: a slow consumer slows the script.
        on_event(event) gets the side channel's events in order with the output: `display`
        (docs/rich_output.md) and, with `debug` (an instrumented script's table), `trace` and
        `paused` (docs/debugging.md); a graph run also its `result` (its outputs, once, after
        all output).
        """
        if self._state != "warm":
            raise SandboxError("This sandbox has already been used; acquire a new one.")
        if not self.alive:
            self._state = "done"
            self._pool.retire(self)
            raise SandboxError("The sandbox died before the run started; acquire a new one.")
        self._side = SideChannel(debug)
        if debug is not None:
            self._debugging = True
            script = encode_script(code, debug.runner_table(), inputs)
            self._pending_stdin = [stdin_frame(STDIN_DATA, data) for data in self._pending_stdin]
        else:
            script = encode_script(code, inputs=inputs)
        inputs_bytes = len(inputs) if inputs is not None else 0
        if inputs_bytes > self._limits.inputs_bytes:
            self._state = "done"
            self._pool.retire(self)
            raise SandboxError(
                f"The inputs are too large ({inputs_bytes} bytes of JSON; the limit is "
                f"{self._limits.inputs_bytes})."
            )
        if len(script) - inputs_bytes > self._limits.script_bytes * (2 if debug else 1) + 64:
            self._state = "done"
            self._pool.retire(self)
            raise SandboxError(
                f"The script is too large ({len(code.encode())} bytes; the limit is "
                f"{self._limits.script_bytes})."
            )
        self._state = "running"
        self.run_id = run_id
        started = time.monotonic()
        self._protocol.write(script)
        for data in self._pending_stdin:
            self._protocol.write(data)
        self._pending_stdin.clear()
        if self._stdin_closed:
            self._end_stdin()
        if run_id:
            self._pool.label_run(self, run_id)  # later, and only if the run lasts
        self._clock = clock = RunClock(self._limits.wall_seconds, self._limits.pause_seconds)
        self._output = output = OutputPump(
            self._protocol,
            self._frames,
            self._limits.output_bytes,
            self._side,
            on_output,
            on_event,
            force=self._force,
            paused=clock.pause,
        )
        pump = asyncio.create_task(output.run(), name=f"sandbox-pump-{self.name}")
        exit_code: int | None
        try:
            limit = await clock.wait(pump)
            if limit is not None:
                self._force(limit)
                done, _ = await asyncio.wait({pump}, timeout=KILL_GRACE_SECONDS)
            else:
                done = {pump}
            if done:
                pump.result()  # an exception from on_output propagates to the caller
            ended = output.ended_at or time.monotonic()
            record = output.exit_record
            if record is not None:
                # The runner's own word: no need to wait for the container to stop (it is
                # killed now: one run per container), nor to ask Docker how it ended.
                exit_code, oom_killed = record.code, record.memory
            else:
                exit_code, oom_killed = await self._exit_state()
        except BaseException:
            self._force(ExitReason.KILLED)
            raise
        finally:
            self._state = "done"
            if not pump.done():
                pump.cancel()
                with contextlib.suppress(BaseException):
                    await pump
            self._pool.retire(self)
        reason = classify(
            self._forced, exit_code, oom_killed, output.stderr_tail, reported=record is not None
        )
        error_line = (
            error_line_from_stderr(output.stderr_tail)
            if exit_code == 1 and reason in ("error", "memory")
            else None
        )
        return RunResult(
            exit_code=exit_code,
            reason=reason,
            duration=max(0.0, ended - started),
            output_bytes=output.output_bytes,
            error_line=error_line,
            message=self._forced_message,
        )

    async def _exit_state(self) -> tuple[int | None, bool]:
        if self._kill_task is not None:
            with contextlib.suppress(Exception):
                await self._kill_task
        try:
            return await self._pool.call_docker(
                docker_ops.exit_state, self.id, EXIT_STATE_TIMEOUT_SECONDS, critical=True
            )
        except Exception as exc:
            logger.warning("sandbox %s: exit state unknown: %s", self.name, exc)
            return None, False

    # --- while running ---
    async def write_stdin(self, data: str | bytes) -> None:
        """Send text to the script's stdin. Ignored once the run is over or stdin is closed."""
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if self._state == "done" or self._stdin_closed or not raw:
            return
        if self._stdin_bytes + len(raw) > self._limits.stdin_total_bytes:
            raise StdinLimitExceeded(
                f"Too much input: a run accepts at most {self._limits.stdin_total_bytes} bytes "
                "of stdin."
            )
        self._stdin_bytes += len(raw)
        if self._debugging:
            raw = stdin_frame(STDIN_DATA, raw)
        # No drain(): input is capped, and a script that never reads must not block the caller.
        if self._state == "warm":
            self._pending_stdin.append(raw)
        else:
            self._protocol.write(raw)

    async def close_stdin(self) -> None:
        """End of input: the script's next input() raises EOFError."""
        if self._state == "done" or self._stdin_closed:
            return
        self._stdin_closed = True
        if self._state == "running":
            self._end_stdin()

    def _end_stdin(self) -> None:
        # A debug run's stdin also carries resume controls: it ends with a frame, not EOF.
        if self._debugging:
            self._protocol.write(stdin_frame(STDIN_EOF))
        else:
            self._protocol.write_eof()

    async def resume(self, mode: str) -> None:
        """A paused debug run goes on: to the next breakpoint, or (`step`) the next node."""
        side = self._side
        if self._state != "running" or not self._debugging or side is None or not side.paused:
            return
        side.paused = False
        if self._clock is not None:
            self._clock.resume()
        self._protocol.write(control_frame({"resume": mode}))

    async def set_breakpoints(self, nodes: list[int]) -> None:
        """A debug run's breakpoints, by node index, from now on (also while paused)."""
        if self._state == "running" and self._debugging:
            self._protocol.write(control_frame({"breakpoints": nodes}))

    async def kill(self) -> None:
        """Stop the run now; it ends with reason "killed"."""
        if self._state != "running":
            return
        self._force(ExitReason.KILLED)
        if self._kill_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._kill_task)

    def _force(self, reason: ExitReason, message: str | None = None) -> None:
        """End the run for `reason` (the first one given wins) by killing the container."""
        if self._forced is None:
            self._forced = reason
            self._forced_message = message
        if self._kill_task is None:
            self._kill_task = asyncio.ensure_future(self._kill_container())

    async def _kill_container(self) -> None:
        try:
            await self._pool.call_docker(docker_ops.kill_container, self.id, critical=True)
        except Exception as exc:
            # The stream ends anyway if the engine is gone; removal retries later.
            logger.warning("sandbox %s: kill failed: %s", self.name, exc)

    async def discard(self) -> None:
        """Give back a sandbox that will not run anything (it is destroyed, never reused)."""
        if self._state == "warm":
            self._state = "done"
            self._pool.retire(self)

    def close_stream(self) -> None:
        self._protocol.close()

    def __repr__(self) -> str:
        return f"<Sandbox {self.name} {self._state}>"


_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]+")


def safe_name_part(text: str, limit: int = 40) -> str:
    return _NAME_UNSAFE.sub("-", text)[:limit].strip("-.") or "x"
