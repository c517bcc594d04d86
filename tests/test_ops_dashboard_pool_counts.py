"""The pool dashboard's counts add up against a REAL pool (real Docker) served by a PoolWorker.

The serving loop holds one warm sandbox while it waits for a request (so a run starts at once).
That sandbox is ready, not busy: with nothing running the dashboard must show busy 0, and the
pool must keep `size` containers ready in all (warm, the held one included), not size + 1.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from execution import dispatch, fleet
from execution.admin_dashboard import pool_status
from execution.worker.fleet_member import FleetMember
from execution.worker.pool_worker import PoolWorker
from tests.docker_support import labelled_containers

pytestmark = pytest.mark.docker


@pytest.fixture
def in_memory_dispatch(settings) -> None:
    settings.REDIS_URL = ""  # claims and heartbeats in memory: this test's worker is the only one
    settings.POOL_REQUEST_CHANNEL = f"pool.requests.counts{uuid.uuid4().hex[:8]}"


async def wait_until(predicate, timeout: float = 30) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - polling the pool's stats
            await asyncio.sleep(0.05)


def settled(pool: Any) -> bool:
    stats = pool.stats()
    return stats["starting"] == 0 and stats["removing"] == 0 and stats["held"] == 1


@pytest.fixture
async def serving(in_memory_dispatch):
    workers: list[PoolWorker] = []

    async def start(pool: Any) -> tuple[PoolWorker, InMemoryChannelLayer]:
        layer = InMemoryChannelLayer()
        worker = PoolWorker(pool, layer, f"counts-{uuid.uuid4().hex[:6]}")
        workers.append(worker)
        await worker.start()
        await wait_until(lambda: settled(pool))
        return worker, layer

    yield start
    for worker in workers:
        await worker.stop()


async def run_one(layer: Any, code: str) -> dict[str, Any]:
    reply_to = await layer.new_channel()
    await layer.send(
        dispatch.request_channel(),
        {
            "type": dispatch.REQUEST,
            "run_id": str(uuid.uuid4()),
            "user_id": 1,
            "code": code,
            "reply_to": reply_to,
            "deadline": time.time() + 60,
        },
    )
    async with asyncio.timeout(60):
        while True:
            message = await layer.receive(reply_to)
            if message["type"] == dispatch.EXIT:
                return message


@pytest.mark.parametrize("size", [1, 2])
async def test_an_idle_worker_is_not_busy_and_keeps_exactly_its_target(
    make_pool, docker_ready, serving, size
):
    pool = await make_pool(size=size)
    _worker, layer = await serving(pool)
    for _ in range(2):  # after runs too: every run's container is replaced, none extra
        await asyncio.sleep(1.0)  # a few fill-loop rounds: nothing more may start
        stats = pool.stats()
        assert stats["busy"] == 0, stats  # nothing runs: the held sandbox is not busy
        assert stats["held"] == 1 and stats["warm"] == size, stats  # warm includes the held one
        containers = labelled_containers(docker_ready, pool.worker_name)
        assert len(containers) == size, (stats, [c["Names"] for c in containers])
        exit_message = await run_one(layer, "print('hi')")
        assert exit_message["reason"] == "ok", exit_message
        await wait_until(lambda: settled(pool) and pool.stats()["warm"] == size)


async def test_a_running_script_is_busy_and_its_replacement_keeps_the_target(
    make_pool, docker_ready, serving
):
    pool = await make_pool(size=2)
    _worker, layer = await serving(pool)
    run = asyncio.create_task(run_one(layer, "import time; time.sleep(30)"))
    await wait_until(lambda: pool.stats()["busy"] == 1 and settled(pool))
    await wait_until(lambda: pool.stats()["warm"] == 2)
    # 2 ready (one of them held) + the one running: the numbers add up to docker ps.
    assert len(labelled_containers(docker_ready, pool.worker_name)) == 3
    run.cancel()


async def test_the_heartbeat_and_the_dashboard_show_held_not_busy(
    make_pool, docker_ready, serving, settings
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    pool = await make_pool(size=2)
    worker, _layer = await serving(pool)
    member = FleetMember(name=f"opsdash-{uuid.uuid4().hex[:6]}", pool=pool, worker=worker)
    try:
        await member.beat()
        record = fleet.get_worker(member.name)
        assert record is not None
        assert (record.size, record.warm, record.held, record.busy) == (2, 2, 1, 0)
        totals = (await asyncio.to_thread(pool_status_without_db))["totals"]
        assert totals["busy"] == 0 and totals["held"] == 1 and totals["warm"] == 2
    finally:
        fleet.forget_worker(member.name)


def pool_status_without_db() -> dict[str, Any]:
    """The dashboard's figures (the database part reports an error here: no db fixture)."""
    return pool_status()
