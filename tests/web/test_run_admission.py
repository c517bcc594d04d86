"""Per-user run limits and queue positions (execution/web/admission.py), in memory and in Redis.

The Redis store is checked from several independent clients at once, as several daphne
processes would use it: the limits must hold exactly.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from execution.web import admission as admission_module
from execution.web.admission import MemoryAdmission, RedisAdmission, Refused
from harness.engine import redis_url


@pytest.fixture
def limits(settings):
    settings.RUNS_PER_USER = 2
    settings.RUNS_QUEUED_PER_USER = 3
    # A namespace of its own: nothing another test (or process) admitted counts here.
    NAMESPACE[0] = f"test-admission-{uuid.uuid4().hex}"
    return settings


NAMESPACE = ["test-admission"]


def redis_store() -> RedisAdmission:
    return RedisAdmission(redis_url(), namespace=NAMESPACE[0])


STORES = [pytest.param(MemoryAdmission, id="memory"), pytest.param(redis_store, id="redis")]


@pytest.mark.parametrize("make", STORES)
def test_slots_then_queue_then_refusal(limits, make):
    async def scenario():
        store = make()
        admitted = [await store.admit(1, f"run{i}") for i in range(5)]
        with pytest.raises(Refused) as refused:
            await store.admit(1, "run5")
        other_user = await store.admit(2, "theirs")
        return admitted, str(refused.value), other_user

    admitted, refused, other_user = asyncio.run(scenario())
    assert [a.dispatch_now for a in admitted] == [True, True, False, False, False]
    assert [a.position for a in admitted] == [0, 1, 2, 3, 4]
    assert "5 runs" in refused and "limit 2 running + 3 queued" in refused
    assert other_user.dispatch_now and other_user.position == 5


@pytest.mark.parametrize("make", STORES)
def test_oldest_waiting_run_takes_a_freed_slot(limits, make):
    async def scenario():
        store = make()
        for i in range(4):
            await store.admit(1, f"run{i}")
        before = await store.try_dispatch(1, "run2")  # both slots taken
        await store.started("run0")
        await store.release(1, "run0")
        not_oldest = await store.try_dispatch(1, "run3")
        oldest = await store.try_dispatch(1, "run2")
        again = await store.try_dispatch(1, "run3")  # slots full again
        positions = [await store.position(f"run{i}") for i in range(1, 4)]
        return before, not_oldest, oldest, again, positions

    before, not_oldest, oldest, again, positions = asyncio.run(scenario())
    assert (before, not_oldest, oldest, again) == (False, False, True, False)
    # run0 started and left the queue: run1 is first, run3 has two ahead of it.
    assert positions == [0, 1, 2]


def test_redis_limits_hold_across_processes(limits):
    """Many admissions of one user from separate clients at once: exactly the limit gets in."""

    async def scenario():
        stores = [redis_store() for _ in range(4)]

        async def attempt(n: int):
            try:
                return await stores[n % 4].admit(7, f"race{n}")
            except Refused:
                return None

        return await asyncio.gather(*(attempt(n) for n in range(20)))

    results = asyncio.run(scenario())
    admitted = [r for r in results if r is not None]
    assert len(admitted) == 5
    assert sum(r.dispatch_now for r in admitted) == 2
    assert sorted(r.position for r in admitted) == [0, 1, 2, 3, 4]


def test_stale_entries_stop_counting(limits, monkeypatch):
    """A web process that died mid-run must not lock its user out for good."""
    monkeypatch.setattr(admission_module, "_stale_seconds", lambda: 0.05)

    async def scenario():
        outcomes = []
        for make in (MemoryAdmission, redis_store):
            store = make()
            for i in range(5):
                await store.admit(3, f"old{i}")
            await asyncio.sleep(0.2)
            outcomes.append(await store.admit(3, "new"))
        return outcomes

    for outcome in asyncio.run(scenario()):
        assert outcome.dispatch_now and outcome.position == 0


def test_admit_sends_the_request_with_the_admission(limits):
    """A run that gets a slot at once travels to the pool in the admission's own round trip;
    a waiting run, a full request channel or a layer on another Redis leave the send to the
    caller (Admitted.sent False) and put nothing on the channel."""
    from channels_redis.core import RedisChannelLayer

    from execution.channel_layer import FastRedisChannelLayer
    from execution.web.admission import Dispatch

    async def scenario():
        store = redis_store()
        prefix = f"test-admit-send-{uuid.uuid4().hex[:8]}"
        fast = FastRedisChannelLayer(hosts=[redis_url()], prefix=prefix, capacity=1)
        stock = RedisChannelLayer(hosts=[redis_url()], prefix=prefix, capacity=1)

        def request(n):
            return Dispatch(fast, "pool.requests", {"type": "run.request", "n": n})

        first = await store.admit(1, "a", request(1))
        received = await asyncio.wait_for(fast.receive("pool.requests"), 5)
        await fast.wait_received()
        # Another layer class (or Redis) than the store's: the caller sends.
        other = await store.admit(1, "b", Dispatch(stock, "pool.requests", {"type": "x"}))
        waiting = await store.admit(1, "c", request(3))  # both slots taken: waits
        full = await store.admit(2, "d", request(4))
        full_too = await store.admit(3, "e", request(5))  # capacity 1: the channel is full
        left = await asyncio.wait_for(fast.receive("pool.requests"), 5)
        await fast.flush()
        return first, received, other, waiting, full, full_too, left

    first, received, other, waiting, full, full_too, left = asyncio.run(scenario())
    assert (first.dispatch_now, first.sent) == (True, True)
    assert received == {"type": "run.request", "n": 1}
    assert (other.dispatch_now, other.sent) == (True, False)
    assert (waiting.dispatch_now, waiting.sent) == (False, False)
    assert (full.dispatch_now, full.sent) == (True, True)
    assert (full_too.dispatch_now, full_too.sent) == (True, False)
    assert left == {"type": "run.request", "n": 4}
