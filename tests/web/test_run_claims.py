"""The pool worker's claim of a run, with its `run.started` in the same Redis script
(dispatch.RedisClaims.claim_and_send), against real Redis."""

from __future__ import annotations

import asyncio
import uuid

from execution import dispatch
from execution.channel_layer import FastRedisChannelLayer
from harness.engine import redis_url


def started(run_id: str) -> dict:
    return {"type": dispatch.STARTED, "run_id": run_id, "control": "specific.w!c", "worker": "w"}


def test_only_the_claim_that_wins_announces_the_run():
    async def scenario():
        layer = FastRedisChannelLayer(hosts=[redis_url()], prefix=f"test-{uuid.uuid4().hex[:8]}")
        claims = dispatch.RedisClaims(redis_url())
        reply = await layer.new_channel()
        run, cancelled = str(uuid.uuid4()), str(uuid.uuid4())
        first = await claims.claim_and_send(run, "specific.w!a", layer, reply, started(run))
        # channels-redis delivered the request twice: the second taker neither runs nor
        # announces it.
        again = await claims.claim_and_send(run, "specific.w!b", layer, reply, started(run))
        # The consumer cancelled this one before any worker took it.
        assert await claims.claim(cancelled, dispatch.CANCELLED)
        late = await claims.claim_and_send(
            cancelled, "specific.w!d", layer, reply, started(cancelled)
        )
        await layer.send(reply, {"type": "marker"})
        got = [await asyncio.wait_for(layer.receive(reply), 5) for _ in range(2)]
        holders = await claims.get(run), await claims.get(cancelled)
        await layer.flush()
        return first, again, late, got, holders

    first, again, late, got, holders = asyncio.run(scenario())
    assert first == (True, True)
    assert again == (False, False) and late == (False, False)
    assert [message["type"] for message in got] == [dispatch.STARTED, "marker"]
    assert holders == ("specific.w!a", dispatch.CANCELLED)


def test_a_reply_channel_on_another_redis_is_left_to_the_caller():
    async def scenario():
        other = redis_url().rsplit("/", 1)[0] + "/15"  # never written: the layer only decides
        layer = FastRedisChannelLayer(hosts=[other], prefix=f"test-{uuid.uuid4().hex[:8]}")
        claims = dispatch.RedisClaims(redis_url())
        run = str(uuid.uuid4())
        result = await claims.claim_and_send(run, "specific.w!a", layer, "specific.x!y", {})
        return result, await claims.get(run)

    assert asyncio.run(scenario()) == ((True, False), "specific.w!a")
