"""execution/channel_layer.py against real Redis: same behaviour as stock channels-redis.

Order, capacity, process-specific channels, and both layers reading each other's messages
(a rolling deploy runs old and new processes side by side).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer

from execution.channel_layer import FastRedisChannelLayer
from harness.engine import redis_url
from harness.waiting import wait_until_async


def layer(cls=FastRedisChannelLayer, **config) -> RedisChannelLayer:
    return cls(hosts=[redis_url()], prefix=f"test-layer-{uuid.uuid4().hex[:8]}", **config)


def named_layer() -> tuple[RedisChannelLayer, str]:
    """A layer whose Redis connections carry a name of their own (CLIENT SETNAME), so the test
    can see in CLIENT LIST when its receive is blocked in Redis."""
    name = f"test-receiver-{uuid.uuid4().hex[:8]}"
    host = {"address": redis_url(), "client_name": name}
    return FastRedisChannelLayer(hosts=[host], prefix=f"test-layer-{name}"), name


async def blocked_in_redis(name: str) -> None:
    """Until a connection named `name` is blocked in a command (CLIENT LIST flag `b`): the
    receiver waits in Redis, so what is sent now reaches it through the blocking pop."""
    import redis.asyncio as aioredis

    probe = aioredis.Redis.from_url(redis_url())
    try:

        async def blocked() -> bool:
            clients = await probe.client_list()
            return any(c.get("name") == name and "b" in c.get("flags", "") for c in clients)

        await wait_until_async(blocked, 5, f"the receive of {name} to block in Redis")
    finally:
        await probe.aclose()


def test_order_and_capacity():
    async def scenario():
        fast = layer(capacity=3)
        for n in range(3):
            await fast.send("jobs", {"type": "job", "n": n})
        with pytest.raises(ChannelFull):
            await fast.send("jobs", {"type": "job", "n": 3})
        received = [(await fast.receive("jobs"))["n"] for _ in range(3)]
        await fast.send("jobs", {"type": "job", "n": 4})  # room again
        received.append((await fast.receive("jobs"))["n"])
        await fast.flush()
        return received

    assert asyncio.run(scenario()) == [0, 1, 2, 4]


def test_process_specific_channels_and_a_waiting_receiver():
    async def scenario():
        fast, name = named_layer()
        first, second = await fast.new_channel(), await fast.new_channel()
        waiting = asyncio.ensure_future(fast.receive(second))
        await blocked_in_redis(name)  # before anything is sent
        await fast.send(first, {"type": "a"})
        await fast.send(second, {"type": "b"})
        got = await asyncio.wait_for(waiting, 5), await asyncio.wait_for(fast.receive(first), 5)
        await fast.flush()
        return got

    second, first = asyncio.run(scenario())
    assert (first["type"], second["type"]) == ("a", "b")


def test_stock_and_fast_layers_interoperate():
    async def scenario():
        prefix = f"test-layer-{uuid.uuid4().hex[:8]}"
        fast = FastRedisChannelLayer(hosts=[redis_url()], prefix=prefix)
        stock = RedisChannelLayer(hosts=[redis_url()], prefix=prefix)
        await stock.send("mixed", {"type": "from.stock"})
        await fast.send("mixed", {"type": "from.fast"})
        got = [(await fast.receive("mixed"))["type"]]
        # Its in-flight backup is cleared in the background; a second layer instance popping
        # before that re-queues it (channels-redis' known duplicate, which claims absorb).
        await fast.wait_received()
        got.append((await stock.receive("mixed"))["type"])
        await fast.flush()
        return got

    assert asyncio.run(scenario()) == ["from.stock", "from.fast"]


def test_a_message_from_the_blocking_pop_is_not_backed_up_nor_cleaned_after():
    """What the blocking pop returns goes to the caller without a backup round trip, and the
    clean-up channels-redis runs after each receive then removes nothing: on a shared channel
    the backup holds other readers' in-flight messages."""

    async def scenario():
        fast, name = named_layer()
        backup = fast.prefix + "jobs$inflight"
        redis = fast.connection(0)
        waiting = asyncio.ensure_future(fast.receive("jobs"))
        await blocked_in_redis(name)  # before anything is sent
        await redis.zadd(backup, {b"another reader's": 1.0})  # in flight elsewhere
        await fast.send("jobs", {"type": "job"})
        got = await asyncio.wait_for(waiting, 5)
        await fast.wait_received()
        left = await redis.zrange(backup, 0, -1)
        await fast.flush()
        return got, left

    got, left = asyncio.run(scenario())
    assert got["type"] == "job"
    assert left == [b"another reader's"]
