"""A pool of warm sandbox containers for one worker: each has its interpreter already waiting
for a script, so a run starts in milliseconds instead of a cold `docker run`'s ~300 ms.

Containers are single-use: after its run a container is destroyed in the background and a new
one takes its place. The pool survives Docker errors and engine restarts by retrying with a
capped exponential backoff, and never leaks: alive containers = warm + starting + busy (+ those
being removed, briefly).

Kinds of sandbox share the pool (execution/sandbox_kind.py): light ones (the interpreter alone,
cheap to start), plot ones (numpy and matplotlib preloaded) and data ones (pandas too).
`acquire(kind=)` hands out the wanted kind when one is warm, else the nearest warm one (a wrong
guess still runs: the import happens at run time), and each request moves the pool's mix towards
recent demand (demand.py): replacements start as the kind furthest below its share of `size`.

`size` is the number of containers ready for a run: those queued in the pool and those *held*,
acquired but not yet running (the pool worker's serving loop holds one while it waits for a
request, so a run starts at once). A held sandbox counts towards `size` and as `warm` in
stats(), never as busy; `busy` is the containers running a script. So an idle worker has exactly
`size` containers, and its replacement starts once the held one takes a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import docker

from execution.sandbox_kind import LIGHT, PREFERENCES

from . import container as docker_ops
from .demand import KindDemand
from .limits import RunLimits
from .sandbox import Sandbox, SandboxError, safe_name_part
from .stream import AttachProtocol

logger = logging.getLogger(__name__)
T = TypeVar("T")

WORKER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")
MAX_PARALLEL_STARTS = 2
# Containers of ours that Docker lists but we do not know (a failed removal, a start cut short)
# are removed once they are this old: younger ones may be a start still in flight.
UNKNOWN_CONTAINER_GRACE_SECONDS = 30.0
SWEEP_INTERVAL_SECONDS = 30.0
# A new container's interpreter must report ready within this (it takes ~50 ms when idle).
READY_TIMEOUT_SECONDS = 30.0
# A burst of acquires (a class pressing Run) leaves the CPU to its runs: while acquires come less
# than this far apart and a large pool still has half its sandboxes ready, replacements wait.
BURST_QUIET_SECONDS = 0.3
# Below this many ready ones a pool never waits to refill: its next runs would wait instead.
BURST_MIN_READY = 4
# A container whose run ended during a burst is stopped at once but removed only once acquires
# pause: removing a stopped container costs Docker about 90 ms of CPU under runsc (measured here:
# 10 `docker rm` of exited runsc containers, CPU from /proc/stat), which the burst's later runs
# need for their first output. At most this long, then it is removed in any case.
REMOVAL_DEFER_MAX_SECONDS = 3.0
# A run still going after this long gets its run id into its container's name (label_run, called
# by Sandbox.run as the run starts): a shorter run's container is gone before anyone looks.
RENAME_AFTER_SECONDS = 1.0


class PoolClosed(Exception):
    """The pool is draining or stopped and hands out no more sandboxes."""


class SandboxUnavailable(Exception):
    """No warm sandbox became available in time (the message carries the last Docker error)."""


class SandboxPool:
    def __init__(
        self,
        worker_name: str,
        size: int,
        image: str,
        limits: RunLimits,
        *,
        docker_factory: Callable[[], docker.DockerClient] = docker_ops.docker_client,
        max_backoff: float = 30.0,
        health_interval: float = 1.0,
    ) -> None:
        if not WORKER_NAME.match(worker_name):
            raise ValueError(
                f"worker_name {worker_name!r} must be 1-63 letters, digits, '_', '.' or '-' "
                "and start with a letter or digit"
            )
        if size < 0:
            raise ValueError("size must be >= 0")
        self.worker_name = worker_name
        self.image = image
        self.limits = limits
        self._size = size
        # The OCI runtime (limits.runtime): "auto" is resolved against the engine before the
        # first container starts (_resolve_runtime); a fallback to runc leaves a warning here.
        self.runtime_warning: str | None = None
        self._docker_factory = docker_factory
        self._client: docker.DockerClient | None = None
        self._max_backoff = max_backoff
        self._health_interval = health_interval
        # Warm containers are replaced at half their runner's idle time: never ended as unused
        # while this pool lives (0: the runner keeps no idle clock, nothing to renew).
        self._renew_after = limits.idle_seconds / 2
        self._state: Literal["new", "running", "draining", "stopped"] = "new"
        self._warm: deque[Sandbox] = deque()
        self._busy: set[Sandbox] = set()
        self._starting = 0
        self._starting_by_kind: Counter[str] = Counter()
        self.kinds = docker_ops.pool_kinds(limits)
        self.demand = KindDemand(self.kinds)
        self._start_tasks: set[asyncio.Task[None]] = set()
        self._removals: dict[str, asyncio.Task[None]] = {}
        self._served = 0
        self._last_acquire = 0.0
        self._failures = 0
        self._last_error: str | None = None
        self._backoff = 0.0
        self._retry_at = 0.0
        self._needs_cleanup = True
        self._next_sweep = 0.0
        self._wakeup = asyncio.Event()
        self._changed = asyncio.Event()
        self._fill_task: asyncio.Task[None] | None = None
        # Kills and exit states must not queue behind slow creates and removals.
        self._critical = ThreadPoolExecutor(4, thread_name_prefix=f"sandbox-{worker_name}-run")
        self._background = ThreadPoolExecutor(4, thread_name_prefix=f"sandbox-{worker_name}-bg")
        # Removals on threads of their own: after a burst dozens queue up, and a container start
        # (which the next runs wait for) must not wait behind them.
        self._removing = ThreadPoolExecutor(2, thread_name_prefix=f"sandbox-{worker_name}-rm")

    # --- lifecycle ---
    async def start(self) -> None:
        """Remove this worker's stale containers, then start filling the pool (in background)."""
        if self._state != "new":
            raise RuntimeError(f"pool already {self._state}")
        self._state = "running"
        await self._cleanup_stale()
        self._fill_task = asyncio.create_task(self._fill_loop(), name=f"pool-{self.worker_name}")

    async def wait_ready(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until `size` containers are ready, held ones included (for start-up logs, tests
        and benchmarks)."""
        async with asyncio.timeout(timeout):
            while self._ready() < self._size:
                self._check_open()
                await self._wait_changed()

    async def acquire(
        self,
        timeout: float | None = None,  # noqa: ASYNC109
        kind: str | None = None,
    ) -> Sandbox:
        """A warm sandbox, its interpreter waiting: of `kind` when one is warm, else of any kind
        (None: the kind recent requests wanted most, without counting as a request). Waits
        while none is warm."""
        if kind is not None:
            self.demand.note(kind)
        wanted = kind or self.demand.likely()
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._check_open()
                    sandbox = self._take_warm(wanted)
                    if sandbox is not None:
                        self._busy.add(sandbox)
                        self._served += 1
                        self._last_acquire = time.monotonic()
                        self._wake()
                        return sandbox
                    self._wake()
                    await self._wait_changed()
        except TimeoutError:
            raise SandboxUnavailable(
                f"No sandbox became available within {timeout} s"
                + (f" (last error: {self._last_error})" if self._last_error else "")
            ) from None

    def exchange(self, held: Sandbox, kind: str) -> Sandbox:
        """For a request that wants `kind`: a warm sandbox nearer to `kind` than `held` (acquired,
        not yet running; PREFERENCES), `held` going back to the warm ones, else `held`. Counts as
        a request for `kind`."""
        self.demand.note(kind)
        if held.kind == kind or held not in self._busy or held.running:
            self._wake()
            return held
        preferences = PREFERENCES[kind]
        better = preferences[: preferences.index(held.kind)] if held.kind in preferences else ()
        sandbox = self._take_warm(kind, among=better)
        if sandbox is None:
            self._wake()
            return held
        self._busy.discard(held)
        self._warm.appendleft(held)
        self._busy.add(sandbox)
        self._wake()
        return sandbox

    def _take_warm(self, kind: str, among: tuple[str, ...] | None = None) -> Sandbox | None:
        """The oldest live warm sandbox of the first kind of `among` (default: every kind, in
        the order PREFERENCES gives for `kind`) that has one, taken out of the warm ones; dead
        ones met on the way are retired."""
        for sandbox in [s for s in self._warm if not s.alive]:
            self._warm.remove(sandbox)
            self._note_dead(sandbox)
        for each in PREFERENCES.get(kind, (kind,)) if among is None else among:
            chosen = next((s for s in self._warm if s.kind == each), None)
            if chosen is not None:
                self._warm.remove(chosen)
                return chosen
        return None if among is not None or not self._warm else self._warm.popleft()

    async def drain(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Hand out no more sandboxes, destroy the warm ones, wait for runs in flight."""
        if self._state in ("new", "running"):
            self._state = "draining"
        self._notify()
        while self._warm:
            self.retire(self._warm.popleft())
        async with asyncio.timeout(timeout):
            while self._busy:
                await self._wait_changed()

    async def stop(self) -> None:
        """Stop: kill runs in flight, remove every container of this worker, free the threads."""
        if self._state == "stopped":
            return
        self._state = "stopped"
        self._notify()
        if self._fill_task:
            self._fill_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._fill_task
        for sandbox in list(self._busy):
            await sandbox.kill()
        while self._warm:
            self.retire(self._warm.popleft())
        # Starts in flight finish (a Docker call cannot be cancelled) and retire themselves.
        if self._start_tasks:
            await asyncio.wait(set(self._start_tasks), timeout=30)
        for sandbox in list(self._busy):
            self.retire(sandbox)
        if self._removals:
            await asyncio.wait(set(self._removals.values()), timeout=30)
        with contextlib.suppress(Exception):
            await self.call_docker(docker_ops.remove_all_of_worker, self.worker_name)
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
        self._critical.shutdown(wait=False, cancel_futures=True)
        self._background.shutdown(wait=False, cancel_futures=True)
        self._removing.shutdown(wait=False, cancel_futures=True)

    # --- operations ---
    def resize(self, size: int) -> None:
        """Keep `size` containers ready from now on (extra warm ones are destroyed, extra held ones
        marked `stale` for their holders to give back)."""
        if size < 0:
            raise ValueError("size must be >= 0")
        self._size = size
        while self._warm and self._ready() > size:
            self.retire(self._surplus_warm())
        excess = self._ready() - size
        for sandbox in self._busy:  # held beyond the new size: their holders give them back
            if excess > 0 and not sandbox.running and not sandbox.stale:
                sandbox.stale = True
                excess -= 1
        self._wake()

    def recycle(self) -> None:
        """Replace every warm container (e.g. after the sandbox image was rebuilt). Sandboxes
        acquired but not yet running are marked `stale` for their holder to give back."""
        while self._warm:
            self.retire(self._warm.popleft())
        for sandbox in self._busy:
            if not sandbox.running:
                sandbox.stale = True
        self._wake()

    def _surplus_warm(self) -> Sandbox:
        """The newest warm sandbox of the kind furthest above its target."""
        targets, ready = self.demand.targets(self._size), self._ready_by_kind()
        kinds = {s.kind for s in self._warm}
        kind = max(kinds, key=lambda k: ready[k] - targets.get(k, 0))
        return next(s for s in reversed(self._warm) if s.kind == kind)

    def _ready_by_kind(self) -> Counter[str]:
        ready = Counter(s.kind for s in self._warm)
        ready.update(s.kind for s in self._busy if not s.running)
        return ready

    def starts_nothing_now(self) -> bool:
        """Taking a warm sandbox now starts no container at once: as many are starting as the
        pool ever starts at once, or a burst defers the starts (_deferring_starts)."""
        return self._starting >= MAX_PARALLEL_STARTS or self._deferring_starts()

    def _deferring_starts(self) -> bool:
        """A burst of acquires is under way and the pool still has plenty ready: its runs get
        the CPU first (a container start costs hundreds of ms of it), replacements start once
        acquires pause for BURST_QUIET_SECONDS or the ready ones run low."""
        return self._in_burst() and self._ready() >= max(BURST_MIN_READY, self._size // 2)

    def _in_burst(self) -> bool:
        """Acquires come less than BURST_QUIET_SECONDS apart."""
        return time.monotonic() - self._last_acquire < BURST_QUIET_SECONDS

    async def _until_the_burst_pauses(self, at_most: float) -> None:
        deadline = time.monotonic() + at_most
        while self._state == "running" and self._in_burst() and time.monotonic() < deadline:
            pause = self._last_acquire + BURST_QUIET_SECONDS - time.monotonic()
            await asyncio.sleep(min(max(pause, 0.01), deadline - time.monotonic()))

    def _held(self) -> int:
        """Sandboxes acquired and not running yet: ready for a run, in their holder's hands."""
        return sum(1 for sandbox in self._busy if not sandbox.running)

    def _ready(self) -> int:
        return len(self._warm) + self._held()

    def stats(self) -> dict[str, Any]:
        held = self._held()
        return {
            # Ready for a run (the held ones included): with `starting`, what `size` counts.
            "warm": len(self._warm) + held,
            # The same by kind (light, data), and what the pool aims for from recent demand.
            "warm_by_kind": {kind: self._ready_by_kind()[kind] for kind in self.kinds},
            "target_by_kind": self.demand.targets(self._size),
            "held": held,
            "starting": self._starting,
            "busy": len(self._busy) - held,  # running a script
            "served": self._served,
            "failures": self._failures,
            "last_error": self._last_error,
            "size": self._size,
            "image": self.image,
            "runtime": self.runtime,
            "runtime_warning": self.runtime_warning,
            "removing": len(self._removals),
            "state": self._state,
        }

    # --- the fill loop: keeps the pool full, replaces dead containers, sweeps leftovers ---
    async def _fill_loop(self) -> None:
        while self._state != "stopped":
            try:
                await self._fill_once()
            except Exception as exc:  # never let the loop die
                self._record_failure(exc)
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                delay = self._health_interval
                if self._retry_at > time.monotonic():
                    delay = min(delay, self._retry_at - time.monotonic())
                async with asyncio.timeout(max(0.01, delay)):
                    await self._wakeup.wait()

    @property
    def runtime(self) -> str:
        """The containers' OCI runtime: runsc or runc ("auto" until the engine was asked)."""
        return self.limits.runtime

    async def _resolve_runtime(self) -> None:
        wanted = self.limits.runtime
        runtime, warning = await self.call_docker(docker_ops.resolve_runtime, wanted)
        self.limits = dataclasses.replace(self.limits, runtime=runtime)
        self.runtime_warning = warning
        if warning:
            logger.warning("pool %s: %s", self.worker_name, warning)
        else:
            logger.info("pool %s: sandboxes run under %s", self.worker_name, runtime)

    async def _fill_once(self) -> None:
        renew_before = time.monotonic() - self._renew_after
        for sandbox in list(self._warm):
            if not sandbox.alive:
                self._warm.remove(sandbox)
                self._note_dead(sandbox)
            elif self._renew_after and sandbox.warm_since < renew_before:
                self.retire(sandbox)  # before its runner's idle clock ends it, as unused
        if self._state != "running" or time.monotonic() < self._retry_at:
            return
        if self._needs_cleanup:
            await self._cleanup_stale()
            if self._needs_cleanup:
                return
        if self.limits.runtime == docker_ops.RUNTIME_AUTO:
            await self._resolve_runtime()  # raises while the engine is down: retried
        if time.monotonic() >= self._next_sweep:
            await self._sweep_unknown()
        # A held sandbox is ready too: its replacement starts once it runs (the holder's next
        # acquire wakes this loop), so an idle worker keeps exactly `size` containers.
        deficit = self._size - self._ready() - self._starting
        if deficit > 0 and self._deferring_starts():
            # Looked at again once the burst pauses (every acquire pushes that back).
            asyncio.get_running_loop().call_later(BURST_QUIET_SECONDS, self._wake)
            return
        if deficit <= 0 and not self._starting and self._unbalanced():
            # Full, but demand moved: start one of the kind it wants; once ready, it replaces a
            # warm one of a kind above its share (_start_one), so capacity never dips.
            deficit = 1
        for _ in range(max(0, min(deficit, MAX_PARALLEL_STARTS - self._starting))):
            kind = self._kind_to_start()
            # Counted before the task runs, so the next pick in this loop sees it.
            self._starting += 1
            self._starting_by_kind[kind] += 1
            task = asyncio.create_task(self._start_one(kind))
            self._start_tasks.add(task)
            task.add_done_callback(self._start_tasks.discard)

    def _unbalanced(self) -> bool:
        """Some kind is below its target while a warm (not held) one of another kind is above."""
        targets, ready = self.demand.targets(self._size), self._ready_by_kind()
        short = {k for k in self.kinds if ready[k] < targets.get(k, 0)}
        return bool(short) and any(
            s.kind not in short and ready[s.kind] > targets.get(s.kind, 0) for s in self._warm
        )

    def _surplus_of_another_kind(self, kind: str) -> Sandbox | None:
        """A warm sandbox of a kind other than `kind` that is above its target, if any."""
        targets, ready = self.demand.targets(self._size), self._ready_by_kind()
        if ready[kind] >= targets.get(kind, 0):
            return None
        return next(
            (s for s in self._warm if s.kind != kind and ready[s.kind] > targets.get(s.kind, 0)),
            None,
        )

    def _kind_to_start(self) -> str:
        """The kind furthest below its target (ready and starting counted); light on a tie, as
        it is ready soonest."""
        targets, have = self.demand.targets(self._size), self._ready_by_kind()
        have.update(self._starting_by_kind)
        return max(self.kinds, key=lambda k: (targets.get(k, 0) - have[k], k == LIGHT))

    async def _start_one(self, kind: str) -> None:
        """Start one sandbox of `kind` (the caller has counted it as starting)."""
        try:
            started = await self.call_docker(
                docker_ops.create_and_start, self.worker_name, self.image, self.limits, kind
            )
            loop = asyncio.get_running_loop()
            try:
                _, protocol = await loop.create_connection(AttachProtocol, sock=started.sock)
            except BaseException:
                started.sock.close()
                self._remove_in_background(started.id)
                raise
            sandbox = Sandbox(self, started, protocol, self.limits, kind=kind)
            try:
                async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                    await sandbox.wait_ready()
            except TimeoutError:
                self.retire(sandbox)
                raise SandboxError(
                    f"The sandbox runner did not report ready within {READY_TIMEOUT_SECONDS:.0f} s"
                    " (an outdated image? run `make sandbox-image`)"
                ) from None
            except BaseException:
                self.retire(sandbox)
                raise
            surplus = self._surplus_of_another_kind(kind)
            if self._state != "running":
                self.retire(sandbox)  # stopped while it started
            elif self._ready() < self._size or surplus is not None:
                if self._ready() >= self._size and surplus is not None:
                    self.retire(surplus)  # the pool's mix moves towards demand
                self._warm.append(sandbox)
                self._backoff = 0.0
            else:
                self.retire(sandbox)  # resized while it started
        except Exception as exc:
            self._record_failure(exc)
        finally:
            self._starting -= 1
            self._starting_by_kind[kind] -= 1
            self._notify()
            self._wake()

    async def _cleanup_stale(self) -> None:
        try:
            removed = await self.call_docker(docker_ops.remove_all_of_worker, self.worker_name)
            if removed:
                logger.info("pool %s: removed %d stale containers", self.worker_name, removed)
            self._needs_cleanup = False
            self._next_sweep = time.monotonic() + SWEEP_INTERVAL_SECONDS
        except Exception as exc:
            self._record_failure(exc)

    async def _sweep_unknown(self) -> None:
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL_SECONDS
        summaries = await self.call_docker(docker_ops.list_worker_containers, self.worker_name)
        known = {s.id for s in self._warm} | {s.id for s in self._busy} | set(self._removals)
        now = time.time()
        for summary in summaries:
            age = now - float(summary.get("Created", now))
            if summary["Id"] not in known and age > UNKNOWN_CONTAINER_GRACE_SECONDS:
                self._remove_in_background(summary["Id"])

    # --- retiring containers ---
    def retire(self, sandbox: Sandbox) -> None:
        """The sandbox will never serve again: forget it and destroy its container."""
        self._busy.discard(sandbox)
        with contextlib.suppress(ValueError):
            self._warm.remove(sandbox)
        sandbox.close_stream()
        self._remove_in_background(sandbox.id)
        self._notify()
        self._wake()

    def _note_dead(self, sandbox: Sandbox) -> None:
        self._failures += 1
        self._last_error = f"warm container {sandbox.name} died"
        logger.warning("pool %s: %s", self.worker_name, self._last_error)
        self.retire(sandbox)

    def _remove_in_background(self, container_id: str) -> None:
        if container_id in self._removals:
            return
        deferred = self._in_burst() and self._state == "running"

        async def remove() -> None:
            try:
                if deferred:
                    # Stopped now, so nothing in it outlives its run; removed after the burst.
                    await self.call_docker(docker_ops.kill_container, container_id, removal=True)
                    await self._until_the_burst_pauses(REMOVAL_DEFER_MAX_SECONDS)
                await self.call_docker(docker_ops.remove_container, container_id, removal=True)
            except Exception as exc:
                # The periodic sweep removes it once Docker answers again.
                logger.warning(
                    "pool %s: removing %s failed: %s", self.worker_name, container_id[:12], exc
                )
            finally:
                self._removals.pop(container_id, None)
                self._notify()

        self._removals[container_id] = asyncio.create_task(remove())

    def label_run(self, sandbox: Sandbox, run_id: str) -> None:
        """Docker labels are fixed at creation, so a run's id goes into the container's name,
        for operators looking at `docker ps` (nothing in Node Engine finds runs by name: a kill
        goes through the worker's own table).

        Only once the run has lasted RENAME_AFTER_SECONDS: a rename is a Docker call that would
        otherwise compete with every run's start, and a short run's container is gone before
        anyone could look for it (the run.start log line names it)."""
        new_name = f"{sandbox.name}-run-{safe_name_part(run_id)}"

        async def rename() -> None:
            with contextlib.suppress(Exception):
                await self.call_docker(docker_ops.rename_container, sandbox.id, new_name)

        def rename_if_still_running() -> None:
            if sandbox.running and sandbox.run_id == run_id and self._state != "stopped":
                task = asyncio.create_task(rename())
                self._start_tasks.add(task)
                task.add_done_callback(self._start_tasks.discard)

        asyncio.get_running_loop().call_later(RENAME_AFTER_SECONDS, rename_if_still_running)

    # --- Docker plumbing ---
    async def _api(self) -> docker.APIClient:
        if self._client is None:
            loop = asyncio.get_running_loop()
            self._client = await loop.run_in_executor(self._background, self._docker_factory)
        return self._client.api

    async def call_docker(
        self, func: Callable[..., T], *args: Any, critical: bool = False, removal: bool = False
    ) -> T:
        """Run a blocking Docker call, func(api, *args), in the pool's threads: `critical` ones
        (kills, exit states) and removals each on threads of their own."""
        api = await self._api()
        loop = asyncio.get_running_loop()
        executor = self._critical if critical else self._removing if removal else self._background
        return await loop.run_in_executor(executor, func, api, *args)

    def _record_failure(self, exc: BaseException) -> None:
        self._failures += 1
        self._last_error = f"{type(exc).__name__}: {exc}"
        self._backoff = min(self._max_backoff, max(0.25, self._backoff * 2))
        self._retry_at = time.monotonic() + self._backoff
        logger.warning(
            "pool %s: %s (retrying in %.2f s)", self.worker_name, self._last_error, self._backoff
        )

    def _check_open(self) -> None:
        if self._state == "new":
            raise PoolClosed("The sandbox pool has not been started.")
        if self._state != "running":
            raise PoolClosed(f"The sandbox pool is {self._state}.")

    def _wake(self) -> None:
        self._wakeup.set()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_changed(self) -> None:
        await self._changed.wait()
