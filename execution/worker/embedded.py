"""Embedded mode (no REDIS_URL): the sandbox pool runs inside the web process.

daphne has no lifespan events, so the pool starts lazily, as a task on daphne's event loop, at
the first WebSocket connection. The same PoolWorker as `manage.py runpool` serves it through
the in-memory channel layer. Containers left behind by a killed process carry this worker's
name, and the next start removes them (SandboxPool.start).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from django.conf import settings

logger = logging.getLogger("execution.embedded")

_task: asyncio.Task[None] | None = None
_worker: Any = None
failure: str | None = None  # why the pool could not start, shown to users instead of a long wait


def worker_name() -> str:
    return settings.POOL_WORKER_NAME or f"embedded-{socket.gethostname()}"


async def ensure_pool() -> None:
    """Start the in-process pool once; returns at once (runs wait in the queue meanwhile)."""
    global _task
    if _task is None:
        _task = asyncio.create_task(_run_pool(), name="embedded-pool")


async def _run_pool() -> None:
    global _worker, failure
    from channels.layers import get_channel_layer

    from execution.sandbox import RunLimits, SandboxPool
    from execution.worker.pool_worker import PoolWorker

    name = worker_name()
    try:
        pool = SandboxPool(
            worker_name=name,
            size=settings.POOL_SIZE,
            image=settings.SANDBOX_IMAGE,
            limits=RunLimits.from_settings(),
        )
        await pool.start()
    except Exception as exc:
        failure = f"The sandbox pool could not start: {exc}"
        logger.exception("embedded pool %s could not start", name)
        return
    _worker = PoolWorker(pool, get_channel_layer(), name)
    await _worker.start()
    _remove_containers_at_shutdown(pool)
    logger.info("embedded pool %s started with %d containers", name, settings.POOL_SIZE)
    await _fleet_loops(pool, _worker, name)


def _remove_containers_at_shutdown(pool: Any) -> None:
    """Stop the pool (removing its containers) when daphne shuts down on SIGINT or SIGTERM.

    daphne runs Twisted's asyncio reactor, which waits for the Deferreds its "before shutdown"
    triggers return, so the containers are gone before the process exits instead of lingering
    until the next start.
    """
    try:
        from twisted.internet import reactor
        from twisted.internet.defer import Deferred
    except ImportError:  # not under daphne (e.g. another ASGI server): the next start cleans up
        return

    def stop_pool() -> Deferred[None]:
        logger.info("embedded pool stopping: removing its containers")
        return Deferred.fromFuture(asyncio.ensure_future(pool.stop()))

    # The reactor module is typed as the IReactorCore interface, whose methods zope declares
    # without `self`: mypy shifts the arguments by one.
    reactor.addSystemEventTrigger("before", "shutdown", stop_pool)  # type: ignore[arg-type]


async def _fleet_loops(pool: Any, worker: Any, name: str) -> None:
    """Heartbeats and operator control for the admin dashboard, when that part is present."""
    try:
        from execution.worker.fleet_member import FleetMember
    except ImportError:
        return
    member = FleetMember(name=name, pool=pool, worker=worker)
    await asyncio.gather(member.heartbeat_loop(), member.control_loop(), return_exceptions=True)
