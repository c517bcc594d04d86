"""The events of a run submitted over REST, kept so that any web process can replay and follow
them: `GET /api/executions/{id}/events/` (Server-Sent Events) and `?wait=` read them.

With REDIS_URL one Redis stream per run (XADD, read with a blocking XREAD from the last id seen),
so the reader need not be the process that runs it; in embedded mode a list in memory. Either
way the log is bounded (EVENTS_KEPT entries, kept KEEP_SECONDS after the last one) and its last
event is the run's `exit`, appended only once the run's record is final.

Socket runs are not logged: their events go straight to their socket, and the extra write per
output batch would sit on the path to the first output.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from django.conf import settings

from execution.dispatch import store_for_this_loop
from execution.redis_clients import run_path_client

EVENTS_KEPT = 20_000  # output arrives in batches of 5 ms: far more than one run's output limit
KEEP_SECONDS = 3600
RUNS_KEPT_IN_MEMORY = 1000
POLL_SECONDS = 15.0  # a follower wakes at least this often (SSE sends a keep-alive then)
BLOCK_MAX_SECONDS = 1.0  # one blocking read: short, so a connection never sits idle for long

Entry = tuple[str, dict[str, Any]]  # (id, event); ids increase within a run
# The id of an `exit` a stream reads from the run's record, not its log (a socket run, an
# expired log), so that an EventSource resuming after it is told the stream is over too.
RECORD_EXIT_ID = "exit"


class MemoryRunEvents:
    """Embedded mode: everything runs on daphne's one event loop."""

    def __init__(self) -> None:
        self._runs: collections.OrderedDict[str, list[dict[str, Any]]] = collections.OrderedDict()
        self._kept_until: dict[str, float] = {}
        self._changed: dict[str, asyncio.Event] = {}

    async def append(self, run_id: str, event: dict[str, Any]) -> None:
        events = self._runs.setdefault(run_id, [])
        if len(events) < EVENTS_KEPT or event.get("type") == "exit":
            events.append(event)
        self._runs.move_to_end(run_id)
        self._kept_until[run_id] = time.monotonic() + KEEP_SECONDS
        while len(self._runs) > RUNS_KEPT_IN_MEMORY:
            gone, _ = self._runs.popitem(last=False)
            self._kept_until.pop(gone, None)
        self._changed.pop(run_id, asyncio.Event()).set()

    async def read(self, run_id: str, after: str | None, block: float) -> list[Entry]:
        """Entries after id `after` (all if None); waits up to `block` seconds for new ones."""
        start = _memory_index(after)
        events = self._events(run_id)
        if len(events) <= start and block > 0:
            changed = self._changed.setdefault(run_id, asyncio.Event())
            try:
                await asyncio.wait_for(changed.wait(), block)
            except TimeoutError:
                return []
            events = self._events(run_id)
        return [(str(index), event) for index, event in enumerate(events) if index >= start]

    async def last(self, run_id: str) -> Entry | None:
        events = self._events(run_id)
        return (str(len(events) - 1), events[-1]) if events else None

    def _events(self, run_id: str) -> list[dict[str, Any]]:
        if self._kept_until.get(run_id, 0.0) < time.monotonic():
            self._runs.pop(run_id, None)
            return []
        return self._runs.get(run_id, [])


def _memory_index(after: str | None) -> int:
    try:
        return int(after) + 1 if after is not None else 0
    except ValueError:
        return 0


class RedisRunEvents:
    def __init__(self, url: str) -> None:
        self._redis = run_path_client(url)
        # Run ids are UUIDs, unique across databases sharing this Redis.
        self._prefix = "nodeengine:run-events:"

    async def append(self, run_id: str, event: dict[str, Any]) -> None:
        key = self._prefix + run_id
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xadd(key, {"e": json.dumps(event)}, maxlen=EVENTS_KEPT, approximate=True)
            pipe.expire(key, KEEP_SECONDS)
            await pipe.execute()

    async def read(self, run_id: str, after: str | None, block: float) -> list[Entry]:
        key = self._prefix + run_id
        block = min(block, BLOCK_MAX_SECONDS)
        start = after if after and _is_stream_id(after) else "0-0"
        wait_ms = max(1, int(block * 1000)) if block > 0 else None
        found = await self._redis.xread({key: start}, block=wait_ms)
        # RESP2 (the client's protocol) answers a list of [key, entries], one per stream; the
        # dict is RESP3's answer.
        assert isinstance(found, list)
        return [
            (entry_id.decode(), json.loads(fields[b"e"]))
            for _key, entries in found
            for entry_id, fields in entries
        ]

    async def last(self, run_id: str) -> Entry | None:
        """The run's last logged entry (its `exit` once it has ended), or None."""
        found = await self._redis.xrevrange(self._prefix + run_id, count=1)
        if not found:
            return None
        entry_id, fields = found[0]
        # The client does not decode responses (ids are bytes); XREVRANGE lists no deleted entry.
        assert isinstance(entry_id, bytes) and fields is not None
        return entry_id.decode(), json.loads(fields[b"e"])


def _is_stream_id(value: str) -> bool:
    head, _, tail = value.partition("-")
    return head.isdigit() and tail.isdigit()


_memory = MemoryRunEvents()
_redis_by_loop: dict[int, RedisRunEvents] = {}


def run_events() -> MemoryRunEvents | RedisRunEvents:
    if not settings.REDIS_URL:
        return _memory
    return store_for_this_loop(_redis_by_loop, RedisRunEvents)


async def resumed_after_exit(run_id: str, last_event_id: str) -> bool:
    """Whether a stream resumed from `last_event_id` (the SSE Last-Event-ID) has nothing more
    to give: that id is the run's exit, logged or (RECORD_EXIT_ID) read from its record."""
    if last_event_id == RECORD_EXIT_ID:
        return True
    last = await run_events().last(run_id)
    return last is not None and last[0] == last_event_id and last[1].get("type") == "exit"


async def follow(
    run_id: str, after: str | None = None, idle: float = POLL_SECONDS
) -> AsyncIterator[Entry | None]:
    """The run's entries from after `after`, as they come, up to its `exit`; None each time
    `idle` seconds pass without one (the caller's chance to send a keep-alive or look at the
    run's record)."""
    log = run_events()
    quiet_since = time.monotonic()
    while True:
        left = idle - (time.monotonic() - quiet_since)
        entries = await log.read(run_id, after, block=max(left, 0.001))
        if not entries:
            if time.monotonic() - quiet_since >= idle:
                yield None
                quiet_since = time.monotonic()
            continue
        quiet_since = time.monotonic()
        for entry in entries:
            yield entry
            if entry[1].get("type") == "exit":
                return
        after = entries[-1][0]


async def wait_for_exit(
    run_id: str, seconds: float, finished: Callable[[], Awaitable[bool]]
) -> None:
    """Wait up to `seconds` for the run's end: its logged `exit`, or (for a run that is not
    logged) `finished()` turning true, asked once a second."""
    deadline = time.monotonic() + seconds
    async for entry in follow(run_id, idle=min(1.0, seconds)):
        if entry is not None and entry[1].get("type") == "exit":
            return
        if time.monotonic() >= deadline or (entry is None and await finished()):
            return
