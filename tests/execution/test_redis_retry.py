"""The plain Redis clients (admission, run claims, the heartbeat store) ride out a Redis restart by
themselves: redis-py's Retry reconnects with a backoff, no hand-written loop around each call."""

from __future__ import annotations

import asyncio
import time

import pytest

from execution.dispatch import RedisClaims
from execution.fleet import RedisHeartbeatStore
from execution.redis_clients import RUN_PATH, STATUS
from execution.web.admission import RedisAdmission
from harness.redis_server import PrivateRedis


@pytest.fixture
def pauses_of_retries(monkeypatch) -> list[float]:
    """The backoffs redis-py's (synchronous) Retry waits between tries, recorded instead of
    slept: what a client does while Redis is down, independent of the machine's speed."""
    import redis.retry

    pauses: list[float] = []
    monkeypatch.setattr(redis.retry, "sleep", pauses.append)
    return pauses


@pytest.fixture
def pauses_of_async_retries(monkeypatch) -> list[float]:
    """The same for redis.asyncio's Retry."""
    import redis.asyncio.retry

    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(redis.asyncio.retry, "sleep", pause)
    return pauses


@pytest.fixture
def server():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


def _restart_later(server: PrivateRedis, delay: float) -> asyncio.Task[None]:
    """Stop Redis now (dropping every connection), start it again on the same port after `delay`
    seconds, while the call under test is already retrying."""
    server.stop()

    async def start() -> None:
        await asyncio.sleep(delay)
        await asyncio.to_thread(server.start)

    return asyncio.ensure_future(start())


def test_admission_and_claims_survive_a_restart(server, settings):
    settings.RUNS_PER_USER = 2
    settings.RUNS_QUEUED_PER_USER = 2

    async def scenario() -> tuple[int, bool, str | None]:
        store = RedisAdmission(server.url, namespace="retry-test")
        claims = RedisClaims(server.url)
        await store.admit(1, "before")
        assert await claims.claim("before", "worker-a")

        restarting = _restart_later(server, 0.3)
        admitted = await store.admit(1, "after")  # an empty Redis after the restart
        await restarting
        claimed = await claims.claim("after", "worker-b")
        return admitted.position, claimed, await claims.get("after")

    position, claimed, value = asyncio.run(scenario())
    assert position == 0 and claimed and value == "worker-b"


def test_admission_gives_up_with_a_connection_error_when_redis_stays_down(
    server, pauses_of_async_retries
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    async def scenario() -> None:
        store = RedisAdmission(server.url, namespace="retry-test")
        await store.position("x")
        server.stop()
        with pytest.raises(RedisConnectionError):
            await store.position("x")

    asyncio.run(scenario())
    # It retried, and then gave up: RUN_PATH's tries with the backoff between them
    # (0.2, 0.4, 0.8, 1 s: enough for a restart, a bounded wait, not a hang). How long giving
    # up takes on the clock is a bench figure (bench/failures.py).
    assert RUN_PATH.tries is not None
    assert len(pauses_of_async_retries) == RUN_PATH.tries - 1, pauses_of_async_retries
    assert 2 <= sum(pauses_of_async_retries) < 6, pauses_of_async_retries


def test_heartbeat_store_reconnects_after_a_restart(server):
    store = RedisHeartbeatStore(server.url)
    store.put({"name": "retry-worker", "heartbeat_at": time.time()})
    server.stop()
    server.start()  # the pooled connection is dead; the next call reconnects by itself
    store.put({"name": "retry-worker", "heartbeat_at": time.time()})
    assert [record["name"] for record in store.all()] == ["retry-worker"]


def test_heartbeat_store_fails_fast_while_redis_is_down(server, pauses_of_retries):
    from redis.exceptions import ConnectionError as RedisConnectionError

    store = RedisHeartbeatStore(server.url)
    server.stop()
    with pytest.raises(RedisConnectionError):
        store.all()
    # /readyz and the dashboard must answer quickly: STATUS's two short reconnects, then the
    # error (bench/failures.py times it).
    assert STATUS.tries is not None
    assert len(pauses_of_retries) == STATUS.tries - 1 and sum(pauses_of_retries) < 1, (
        pauses_of_retries
    )
