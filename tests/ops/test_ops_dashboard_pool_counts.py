"""The pool dashboard's counts add up against a REAL pool (real Docker) served by a PoolWorker.

The serving loop holds one warm sandbox while it waits for a request (so a run starts at once).
That sandbox is ready, not busy: with nothing running the dashboard must show busy 0, and the
pool must keep `size` containers ready in all (warm, the held one included), not size + 1.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from execution import fleet
from execution.admin_dashboard import pool_status
from execution.worker.fleet_member import FleetMember
from execution.worker.pool_worker import PoolWorker
from harness.waiting import wait_until_async
from tests.docker_support import labelled_containers, run_through_worker

pytestmark = pytest.mark.docker


@pytest.fixture
def in_memory_dispatch(settings) -> None:
    settings.REDIS_URL = ""  # claims and heartbeats in memory: this test's worker is the only one
    settings.POOL_REQUEST_CHANNEL = f"pool.requests.counts{uuid.uuid4().hex[:8]}"


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
        await pool_settles(pool)
        return worker, layer

    yield start
    for worker in workers:
        await worker.stop()


async def run_one(layer: Any, code: str) -> dict[str, Any]:
    """The run.exit message of one run through the worker."""
    _stdout, exit_message = await run_through_worker(layer, code)
    return exit_message


async def pool_settles(
    pool: Any, extra: Callable[[dict[str, Any]], bool] = lambda stats: True
) -> None:
    """Nothing starting or removing, one sandbox held (and `extra` of the stats holds)."""
    await wait_until_async(
        lambda: settled(pool) and extra(pool.stats()),
        30,
        lambda: f"the pool to settle: {pool.stats()}",
    )


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
        await pool_settles(pool, lambda stats: stats["warm"] == size)


async def test_a_running_script_is_busy_and_its_replacement_keeps_the_target(
    make_pool, docker_ready, serving
):
    pool = await make_pool(size=2)
    _worker, layer = await serving(pool)
    run = asyncio.create_task(run_one(layer, "import time; time.sleep(30)"))
    await pool_settles(pool, lambda stats: stats["busy"] == 1)
    await wait_until_async(
        lambda: pool.stats()["warm"] == 2, 30, lambda: f"2 warm sandboxes: {pool.stats()}"
    )
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
