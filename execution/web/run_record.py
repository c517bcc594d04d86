"""A run's Execution row: written off the run's path, in order, by one task per run.

The writes (insert, dispatched, started, finished) wait until the record is started: the first
output has been forwarded, the run has ended or a short while has passed (see run_output.py:
ORM work in a thread delays the event loop, which must not happen between `run` and the first
output). Then one task inserts the row and applies the queued writes in order, and stops after
the last one (`close`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import IntegrityError, close_old_connections, connection, transaction

from execution.models import Execution

logger = logging.getLogger("execution.runs")

T = TypeVar("T")
_CLOSED = None  # the queue's last item: no write follows


def _with_fresh_connection(fn: Callable[..., T]) -> Callable[..., T]:
    def wrapper(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            close_old_connections()

    return wrapper


async def db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ORM code in a thread pool. Not thread_sensitive: runs of many sockets must not queue
    behind one shared thread (each thread keeps its own connection, see CONN_MAX_AGE)."""
    return await sync_to_async(_with_fresh_connection(fn), thread_sensitive=False)(*args, **kwargs)


def _without_waiting_for_disk() -> None:
    """Inside a transaction: commit it without waiting for the WAL to reach the disk.

    A run's record is written on the run's path (a REST answer waits for its insert and its end),
    and a Postgres commit waits for an fsync: 4 to 7 ms here, per write. `synchronous_commit`
    off for these transactions only (SET LOCAL) keeps every write atomic and in order, and
    risks only the last moment of run records if Postgres itself crashes (never corruption;
    README, Operations). Graphs and accounts still commit durably."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _insert(execution: Execution) -> None:
    try:
        with transaction.atomic():
            _without_waiting_for_disk()
            execution.save(force_insert=True)
    except IntegrityError:
        # The graph was deleted between loading and now: keep the record without it.
        execution.graph_id = None
        with transaction.atomic():
            _without_waiting_for_disk()
            execution.save(force_insert=True)


Write = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class RunRecord:
    def __init__(self) -> None:
        self.execution: Execution | None = None  # set once the run is admitted
        self._queue: asyncio.Queue[Write | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.inserted = asyncio.Event()  # the row exists (or inserting it failed)

    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue `fn(*args, **kwargs)` (ORM code, run in a thread) after the writes before it."""
        self._queue.put_nowait((fn, args, kwargs))

    def close(self) -> None:
        """No write follows: the task ends after the queued ones."""
        self._queue.put_nowait(_CLOSED)

    def start(self) -> None:
        """Insert the row, then apply the queued writes and those that follow. Idempotent; a
        no-op for a run that was never admitted."""
        if self._task is None and self.execution is not None:
            self._task = asyncio.create_task(self._write_all(self.execution))

    @property
    def started(self) -> bool:
        return self._task is not None

    async def flush(self, seconds: float) -> None:
        """Wait (at most `seconds`) for the writes of a closed record."""
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=seconds)

    async def _write_all(self, execution: Execution) -> None:
        await self._apply([(_insert, (execution,), {})])
        self.inserted.set()
        closed = False
        while not closed:
            # The writes queued by now go to the database together: one thread and connection
            # for all of them (a short run's dispatched, started and finished arrive at once,
            # and a REST run's answer waits for the last).
            batch: list[Write] = []
            write = await self._queue.get()
            while True:
                if write is _CLOSED:
                    closed = True
                    break
                batch.append(write)
                if self._queue.empty():
                    break
                write = self._queue.get_nowait()
            if batch:
                await self._apply(batch)

    async def _apply(self, writes: list[Write]) -> None:
        try:
            await db(self._apply_each, writes)
        except Exception:  # no connection to the database at all: the writes are lost, logged
            run_id = self.execution.pk if self.execution is not None else None
            logger.exception("run %s: could not record %d writes", run_id, len(writes))

    def _apply_each(self, writes: list[Write]) -> None:
        for fn, args, kwargs in writes:
            try:
                with transaction.atomic():
                    _without_waiting_for_disk()
                    fn(*args, **kwargs)
            except Exception:  # a write that fails is logged; the ones after it still apply
                run_id = self.execution.pk if self.execution is not None else None
                logger.exception("run %s: could not record %s", run_id, fn.__name__)
