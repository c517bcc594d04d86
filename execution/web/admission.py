"""Per-budget run limits and queue positions, decided without touching the database.

A budget is whose slots a run takes: a user's own (`RUNS_PER_USER` runs holding a run slot, i.e.
dispatched to the pool, and `RUNS_QUEUED_PER_USER` more waiting for one), or a webhook's
(`WEBHOOK_RUNS` + `WEBHOOK_RUNS_QUEUED`, counted apart from its owner's, so a flood of hook calls
never takes the owner's own slots). A run past its budget is refused. Waiting runs take a
slot in the order they were admitted. The queue position shown to the user counts the runs of
everybody that were admitted earlier and have not started yet (for this pool's request channel).

With REDIS_URL every decision is one atomic Lua script, so several web processes share the
limits exactly; in embedded mode (one web process) plain dictionaries do the same. Entries older
than `Execution.stale_after()` stop counting, so a web process that crashed mid-run never locks
a user out for good (the same rule the database rows follow).

The Execution row is written after the run is on its way (client_run.py): the row is the
record of a run, not the lock that admits it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from redis.typing import EncodableT

from execution.dispatch import request_channel, store_for_this_loop
from execution.redis_clients import run_path_client


class Refused(Exception):
    """The budget already has as many runs running and queued as allowed."""


@dataclass(frozen=True)
class Budget:
    """Whose run slots a run takes: `key` names them in the store, `running` and `queued` are
    its limits, `holder` starts the refusal's sentence ("You already have", "This webhook
    already has")."""

    key: str
    running: int
    queued: int
    holder: str = "You already have"

    @classmethod
    def of_user(cls, user_id: int) -> Budget:
        return cls(f"user:{user_id}", settings.RUNS_PER_USER, settings.RUNS_QUEUED_PER_USER)

    @classmethod
    def of(cls, owner: Budget | int) -> Budget:
        """A budget as given, or a user id standing for that user's own budget."""
        return owner if isinstance(owner, Budget) else cls.of_user(owner)

    @property
    def total(self) -> int:
        return self.running + self.queued

    def refused_message(self, active: int) -> str:
        return (
            f"{self.holder} {active} runs running or queued "
            f"(limit {self.running} running + {self.queued} queued). Wait for one to finish."
        )


@dataclass(frozen=True)
class Admitted:
    dispatch_now: bool  # a run slot was free: send the request to the pool now
    position: int  # runs (any user) admitted earlier and not started yet
    sent: bool = False  # admit() already sent `dispatch`'s request (same Redis round trip)


@dataclass(frozen=True)
class Dispatch:
    """A request to send to the pool if the run gets a slot at once (see RedisAdmission.admit)."""

    layer: Any
    channel: str
    message: dict[str, Any]


def _stale_seconds() -> float:
    from execution.models import Execution

    return Execution.stale_after().total_seconds()


# --- embedded mode ------------------------------------------------------------------------


@dataclass
class _BudgetRuns:
    slots: dict[str, float] = field(default_factory=dict)  # run_id -> admitted at
    waiting: OrderedDict[str, float] = field(default_factory=OrderedDict)


class MemoryAdmission:
    """The limits of the only web process (embedded mode). Event-loop code, no awaits inside a
    decision, so each decision is atomic."""

    def __init__(self) -> None:
        self._budgets: dict[str, _BudgetRuns] = {}  # Budget.key -> its runs
        self._queue: dict[str, float] = {}  # run_id -> admitted at, until it starts

    def _runs(self, budget: Budget, now: float) -> _BudgetRuns:
        runs = self._budgets.setdefault(budget.key, _BudgetRuns())
        cutoff = now - _stale_seconds()
        for table in (runs.slots, runs.waiting):
            for run_id in [r for r, at in table.items() if at < cutoff]:
                del table[run_id]
        return runs

    async def admit(
        self, owner: Budget | int, run_id: str, dispatch: Dispatch | None = None
    ) -> Admitted:
        """`dispatch` is never sent here (Admitted.sent is False): the caller sends it."""
        now = time.monotonic()
        budget = Budget.of(owner)
        runs = self._runs(budget, now)
        active = len(runs.slots) + len(runs.waiting)
        if active >= budget.total:
            raise Refused(budget.refused_message(active))
        dispatch_now = len(runs.slots) < budget.running and not runs.waiting
        (runs.slots if dispatch_now else runs.waiting)[run_id] = now
        cutoff = now - _stale_seconds()
        self._queue = {r: at for r, at in self._queue.items() if at >= cutoff}
        position = len(self._queue)  # all entries were admitted earlier
        self._queue[run_id] = now
        return Admitted(dispatch_now, position)

    async def try_dispatch(self, owner: Budget | int, run_id: str) -> bool:
        budget = Budget.of(owner)
        runs = self._runs(budget, time.monotonic())
        if len(runs.slots) >= budget.running or next(iter(runs.waiting), None) != run_id:
            return False
        runs.slots[run_id] = runs.waiting.pop(run_id)
        return True

    async def position(self, run_id: str) -> int:
        mine = self._queue.get(run_id)
        if mine is None:
            return 0
        return sum(1 for at in self._queue.values() if at < mine)

    async def started(self, run_id: str) -> None:
        self._queue.pop(run_id, None)

    async def release(self, owner: Budget | int, run_id: str) -> None:
        self._queue.pop(run_id, None)
        key = Budget.of(owner).key
        runs = self._budgets.get(key)
        if runs is not None:
            runs.slots.pop(run_id, None)
            runs.waiting.pop(run_id, None)
            if not runs.slots and not runs.waiting:
                del self._budgets[key]


# --- Redis --------------------------------------------------------------------------------

# Shared prologue: KEYS[1] slots, KEYS[2] waiting (sorted sets run_id -> admitted at),
# KEYS[3] the queue; ARGV[1] stale seconds. Time comes from Redis, one clock for all hosts.
_PROLOGUE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cutoff = now - tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. cutoff)
local ttl = math.ceil(tonumber(ARGV[1]))
"""

# ARGV[2] run_id, ARGV[3] the budget's running runs, ARGV[4] its running + queued runs.
# Returns {1, dispatch_now, position} or {0, active runs}.
_ADMIT = (
    _PROLOGUE
    + """
local slots = redis.call('ZCARD', KEYS[1])
local waiting = redis.call('ZCARD', KEYS[2])
if slots + waiting >= tonumber(ARGV[4]) then
    return {0, slots + waiting}
end
local dispatch_now = 0
if slots < tonumber(ARGV[3]) and waiting == 0 then
    redis.call('ZADD', KEYS[1], now, ARGV[2])
    dispatch_now = 1
else
    redis.call('ZADD', KEYS[2], now, ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. cutoff)
local position = redis.call('ZCARD', KEYS[3])
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('EXPIRE', KEYS[3], ttl)
return {1, dispatch_now, position}
"""
)


# As _ADMIT, and when the run takes a slot at once, also sends the pool request: KEYS[4] the
# request channel's key, ARGV[5..9] FastRedisChannelLayer.send_args(). Returns
# {1, dispatch_now, position, sent} (sent 0: not dispatched now, or the channel was full).
def _admit_and_send_script() -> str:
    from execution.channel_layer import send_lua  # needs channels-redis: Redis mode only

    script = _ADMIT.replace(
        "return {1, dispatch_now, position}",
        "if dispatch_now == 0 then return {1, 0, position, 0} end\n"
        + send_lua("KEYS[4]", 5)
        + "return {1, 1, position, sent}",
    )
    assert script != _ADMIT
    return script


# ARGV[2] run_id, ARGV[3] the budget's running runs. Returns 1 when the run took a slot.
_TRY_DISPATCH = (
    _PROLOGUE
    + """
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    return 0
end
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
if oldest[1] ~= ARGV[2] then
    return 0
end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('EXPIRE', KEYS[1], ttl)
return 1
"""
)

# KEYS[1] the queue; ARGV[1] run_id.
_POSITION = """
local mine = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not mine then
    return 0
end
return redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. mine)
"""


class RedisAdmission:
    def __init__(self, url: str, namespace: str | None = None) -> None:
        self._url = url
        self._redis = run_path_client(url)  # retries a dropped connection itself
        self._admit = self._redis.register_script(_ADMIT)
        self._admit_and_send = self._redis.register_script(_admit_and_send_script())
        self._try_dispatch = self._redis.register_script(_TRY_DISPATCH)
        self._position = self._redis.register_script(_POSITION)
        # User ids are only unique within one database; Redis may serve several deployments
        # (or test databases), so the keys name the database too.
        namespace = namespace or str(settings.DATABASES["default"].get("NAME") or "default")
        self._prefix = f"nodeengine:admission:{namespace}:"
        self._queue = f"{self._prefix}queue:{request_channel()}"

    def _user_keys(self, owner: Budget | int) -> list[str]:
        key = Budget.of(owner).key
        return [f"{self._prefix}{key}:slots", f"{self._prefix}{key}:waiting"]

    async def admit(
        self, owner: Budget | int, run_id: str, dispatch: Dispatch | None = None
    ) -> Admitted:
        """Admit the run; if it gets a slot at once and `dispatch`'s channel lives on this Redis,
        send `dispatch.message` in the same script (one round trip less before a worker has it).
        Admitted.sent tells whether that happened; if not, the caller sends it."""
        from execution.channel_layer import FastRedisChannelLayer

        budget = Budget.of(owner)
        keys = [*self._user_keys(budget), self._queue]
        args: list[Any] = [_stale_seconds(), run_id, budget.running, budget.total]
        script = self._admit
        if (
            dispatch is not None
            and isinstance(dispatch.layer, FastRedisChannelLayer)
            and dispatch.layer.single_host_address() == self._url
        ):
            channel_key, send_args = dispatch.layer.send_args(dispatch.channel, dispatch.message)
            keys.append(channel_key)
            args.extend(send_args)
            script = self._admit_and_send
        result = await script(keys=keys, args=args)
        if not result[0]:
            raise Refused(budget.refused_message(int(result[1])))
        sent = len(result) > 3 and bool(result[3])
        return Admitted(bool(result[1]), int(result[2]), sent)

    async def try_dispatch(self, owner: Budget | int, run_id: str) -> bool:
        budget = Budget.of(owner)
        keys = [*self._user_keys(budget), self._queue]
        args: list[EncodableT] = [_stale_seconds(), run_id, budget.running]
        return bool(await self._try_dispatch(keys=keys, args=args))

    async def position(self, run_id: str) -> int:
        return int(await self._position(keys=[self._queue], args=[run_id]) or 0)

    async def started(self, run_id: str) -> None:
        await self._redis.zrem(self._queue, run_id)

    async def release(self, owner: Budget | int, run_id: str) -> None:
        slots, waiting = self._user_keys(owner)

        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(slots, run_id)
            pipe.zrem(waiting, run_id)
            pipe.zrem(self._queue, run_id)
            await pipe.execute()


_by_loop: dict[int, RedisAdmission] = {}
_memory = MemoryAdmission()


def admission() -> MemoryAdmission | RedisAdmission:
    """The admission store: in memory in embedded mode, else Redis for the running event loop."""
    if not settings.REDIS_URL:
        return _memory
    return store_for_this_loop(_by_loop, RedisAdmission)
