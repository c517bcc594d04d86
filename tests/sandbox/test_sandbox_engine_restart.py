"""The pool survives a Docker engine restart: its containers die with the engine, the engine
refuses calls for a while, and the pool rebuilds itself without anyone's help.

It restarts a private engine (tests/private_engine.py). The same check against the real engine:
NODEENGINE_TEST_DOCKER_RESTART=1 (see test_sandbox_pool.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from execution.sandbox import SandboxPool
from tests.docker_support import SANDBOX_IMAGE, TEST_LIMITS, run_code, unique_worker_name
from tests.private_engine import PrivateEngine, running_private_engine

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def private_engine(docker_ready) -> Iterator[PrivateEngine]:
    with running_private_engine() as engine:
        yield engine


async def test_pool_rebuilds_itself_after_the_engine_restarts(private_engine):
    pool = SandboxPool(
        unique_worker_name("restart"),
        2,
        SANDBOX_IMAGE,
        TEST_LIMITS,
        docker_factory=private_engine.client,
        max_backoff=1.0,
        health_interval=0.2,
    )
    await pool.start()
    try:
        await pool.wait_ready(60)
        _, out = await run_code(pool, "print('before')")
        assert out.stdout == "before\n"

        await asyncio.to_thread(private_engine.stop)
        # While the engine is down: the warm containers are noticed dead, starts fail and back off.
        async with asyncio.timeout(30):
            while pool.stats()["warm"] > 0 or pool.stats()["failures"] < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        assert pool.stats()["last_error"]

        await asyncio.to_thread(private_engine.start)
        await pool.wait_ready(60)
        _, out = await asyncio.wait_for(run_code(pool, "print('after')"), 60)
        assert out.stdout == "after\n"
    finally:
        await pool.stop()
    # The containers that died with the engine were removed too: nothing of this worker is left.
    labels = {"label": f"nodeengine.worker={pool.worker_name}"}
    assert private_engine.client().api.containers(all=True, filters=labels) == []
