"""`manage.py runpool`: a pool worker, the only process that talks to Docker.

Keeps `--size` warm sandboxes, takes runs from the shared channel (see execution/dispatch.py)
and streams their output back to the web processes. SIGTERM / SIGINT stop it gracefully: no new
runs are taken, runs in flight get `--grace` seconds to finish and are then killed (their
clients get `exit` with reason worker_lost and a message saying the worker shut down), and the
worker's containers are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger("execution.runpool")


class Command(BaseCommand):
    help = "Run a sandbox pool worker serving runs from the channel layer."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--size", type=int, default=settings.POOL_SIZE, help="Warm sandboxes to keep."
        )
        parser.add_argument(
            "--name",
            default=settings.POOL_WORKER_NAME or socket.gethostname(),
            help="Worker name; labels its containers. Unique per worker on one Docker host.",
        )
        parser.add_argument(
            "--grace", type=float, default=5.0, help="Seconds in-flight runs get on shutdown."
        )

    def handle(self, *args: Any, size: int, name: str, grace: float, **options: Any) -> None:
        if settings.EMBEDDED:
            raise CommandError(
                "REDIS_URL is not set: in embedded mode the web process runs the pool itself."
                " Set REDIS_URL (the same as the web processes') to run separate pool workers."
            )
        if size < 1:
            raise CommandError("--size must be at least 1.")
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters.")
        asyncio.run(self._serve(size, name, grace))

    async def _serve(self, size: int, name: str, grace: float) -> None:
        from execution.sandbox import RunLimits, SandboxPool
        from execution.worker.pool_worker import PoolWorker, private_layer

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)

        pool = SandboxPool(
            worker_name=name,
            size=size,
            image=settings.SANDBOX_IMAGE,
            limits=RunLimits.from_settings(),
        )
        await pool.start()
        worker = PoolWorker(pool, private_layer(), name)
        await worker.start()
        fleet = asyncio.create_task(_fleet_loops(pool, worker, name))
        logger.info("pool worker %s serving with %d sandboxes", name, size)
        self.stdout.write(f"pool worker {name} ready", ending="\n")
        self.stdout.flush()
        try:
            await stop.wait()
        finally:
            logger.info("pool worker %s stopping", name)
            await worker.stop(grace=grace)
            fleet.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fleet
            await pool.stop()
            logger.info("pool worker %s stopped", name)


async def _fleet_loops(pool: Any, worker: Any, name: str) -> None:
    from execution.worker.embedded import _fleet_loops as loops

    await loops(pool, worker, name)
