"""The pool worker holds a warm sandbox while it waits for a request: a sandbox that dies (or is
recycled) meanwhile must never take the run, which then ends normally instead of worker_lost."""

from __future__ import annotations

import uuid

import pytest
from channels.layers import InMemoryChannelLayer

from execution.worker.pool_worker import PoolWorker
from harness.waiting import wait_until_async
from tests.docker_support import labelled_containers, run_through_worker

pytestmark = pytest.mark.docker


@pytest.fixture
def in_memory_dispatch(settings) -> None:
    settings.REDIS_URL = ""  # claims in memory: this test's worker is the only one
    settings.POOL_REQUEST_CHANNEL = f"pool.requests.held{uuid.uuid4().hex[:8]}"


def holds_one_and_nothing_else(stats: dict) -> bool:
    return (stats["held"], stats["busy"], stats["warm"], stats["starting"]) == (1, 0, 1, 0)


@pytest.fixture
async def worker_on(in_memory_dispatch):
    workers: list[PoolWorker] = []

    async def start(pool) -> tuple[PoolWorker, InMemoryChannelLayer]:
        layer = InMemoryChannelLayer()
        worker = PoolWorker(pool, layer, f"held-{uuid.uuid4().hex[:6]}")
        workers.append(worker)
        await worker.start()
        # It holds one while it waits (held, counted as warm: it is ready for a run).
        await wait_until_async(
            lambda: holds_one_and_nothing_else(pool.stats()),
            30,
            lambda: f"one held sandbox and nothing else under way: {pool.stats()}",
        )
        return worker, layer

    yield start
    for worker in workers:
        await worker.stop()


async def test_a_held_sandbox_that_died_does_not_lose_the_run(make_pool, docker_ready, worker_on):
    pool = await make_pool(size=1)
    _worker, layer = await worker_on(pool)
    # Every container of the pool dies, the held one included (as in an engine restart).
    for summary in labelled_containers(docker_ready, pool.worker_name):
        docker_ready.api.kill(summary["Id"])
    stdout, exit_message = await run_through_worker(layer, "print('still served')")
    assert exit_message["reason"] == "ok", exit_message
    assert stdout == "still served\n"


async def test_recycle_replaces_the_held_sandbox_too(make_pool, docker_ready, worker_on):
    pool = await make_pool(size=1)
    _worker, layer = await worker_on(pool)
    before = {c["Id"][:12] for c in labelled_containers(docker_ready, pool.worker_name)}
    pool.recycle()
    code = "import socket\nprint(socket.gethostname())"
    stdout, exit_message = await run_through_worker(layer, code)
    assert exit_message["reason"] == "ok", exit_message
    assert stdout.strip() not in before  # ran in a container started after the recycle
