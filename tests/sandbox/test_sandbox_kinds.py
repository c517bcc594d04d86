"""Sandboxes fitted to the script: a pool keeps light sandboxes (the interpreter alone), plot ones
(numpy and matplotlib preloaded) and data ones (pandas too) in proportion to recent demand; a
run gets the kind its code wants when one is warm, and another kind still runs it correctly."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from execution.sandbox import SandboxPool
from execution.sandbox_kind import DATA, LIGHT, PLOT, sandbox_kind
from execution.worker.pool_worker import PoolWorker
from harness.waiting import wait_until_async
from tests.docker_support import run_through_worker

pytestmark = pytest.mark.docker

# Every kind needs room for the preload (container.PRELOAD_MIN_MEMORY_MB).
KINDS_LIMITS = {"memory_mb": 128, "preload": "auto", "wall_seconds": 20.0, "cpu_seconds": 10}
# What was imported before the script's first line: numpy in a plot sandbox, pandas too in a
# data one, neither in a light one.
PRELOADED = (
    "import sys\nprint(','.join(m for m in ('numpy', 'pandas') if m in sys.modules) or 'light')\n"
)
PLOTTING = PRELOADED + "import matplotlib.pyplot as plt\nplt.plot(range(100))\nplt.show()\n"
TABULATING = PRELOADED + "import pandas as pd\nshow(pd.DataFrame({'a': [1, 2]}))\n"
ALL_WARM = {LIGHT: 1, PLOT: 1, DATA: 1}


async def all_kinds_warm(pool: SandboxPool) -> None:
    await wait_until_async(
        lambda: pool.stats()["warm_by_kind"] == ALL_WARM,
        60,
        lambda: f"one warm sandbox of each kind: {pool.stats()}",
    )


async def run_in(pool: SandboxPool, code: str, kind: str | None) -> tuple[str, str, list, Any]:
    """(kind of the sandbox it got, stdout, side-channel events, result)."""
    sandbox = await pool.acquire(timeout=60, kind=kind)
    got, stdout, events = sandbox.kind, [], []

    async def on_output(stream: str, text: str) -> None:
        if stream == "stdout":
            stdout.append(text)

    async def on_event(event: dict) -> None:
        events.append(event)

    result = await sandbox.run(code, on_output, on_event=on_event)
    return got, "".join(stdout), events, result


def displayed(events: list) -> list[str]:
    return [e["mime"] for e in events if e.get("type") == "display"]


async def test_each_kind_runs_what_it_was_made_for(make_pool):
    pool = await make_pool(size=3, **KINDS_LIMITS)
    await all_kinds_warm(pool)

    got, stdout, _, result = await run_in(pool, PRELOADED, LIGHT)
    assert (got, stdout.strip(), result.reason) == (LIGHT, "light", "ok")

    got, stdout, events, result = await run_in(pool, PLOTTING, PLOT)
    assert (got, stdout.strip(), result.reason) == (PLOT, "numpy", "ok")
    assert displayed(events) == ["image/png"]

    got, stdout, events, result = await run_in(pool, TABULATING, DATA)
    assert (got, stdout.strip(), result.reason) == (DATA, "numpy,pandas", "ok")
    assert displayed(events) == ["table"]


async def test_a_misprediction_still_runs_correctly(make_pool):
    # Only light sandboxes (as under a small memory limit): a plotting script imports at run time.
    pool = await make_pool(size=1, **{**KINDS_LIMITS, "preload": "none"})
    assert pool.kinds == (LIGHT,)
    got, stdout, events, result = await run_in(pool, PLOTTING, PLOT)
    assert (got, stdout.strip(), result.reason) == (LIGHT, "light", "ok")
    assert displayed(events) == ["image/png"]

    # And the other way round: a plain script in a preloaded sandbox.
    only_data = await make_pool(size=1, **{**KINDS_LIMITS, "preload": "data"})
    got, stdout, _, result = await run_in(only_data, "print(6 * 7)", LIGHT)
    assert (got, stdout.strip(), result.reason) == (DATA, "42", "ok")


async def test_the_pools_kinds_follow_demand(make_pool):
    pool = await make_pool(size=3, **KINDS_LIMITS)
    await all_kinds_warm(pool)

    def settled() -> bool:
        stats = pool.stats()
        return stats["warm_by_kind"] == stats["target_by_kind"] and not stats["starting"]

    for _ in range(12):  # a class starts using pandas
        sandbox = await pool.acquire(timeout=60, kind=DATA)
        await sandbox.discard()
    assert pool.stats()["target_by_kind"][DATA] >= 2
    await wait_until_async(settled, 60, lambda: f"the kinds to match demand: {pool.stats()}")
    for _ in range(20):  # and back to printing
        sandbox = await pool.acquire(timeout=60, kind=LIGHT)
        await sandbox.discard()
    assert pool.stats()["target_by_kind"][LIGHT] >= 2
    await wait_until_async(settled, 60, lambda: f"the kinds to match demand: {pool.stats()}")


@pytest.fixture
def in_memory_dispatch(settings) -> None:
    settings.REDIS_URL = ""  # claims in memory: this test's worker is the only one
    settings.POOL_REQUEST_CHANNEL = f"pool.requests.kinds{uuid.uuid4().hex[:8]}"


async def test_the_worker_serves_each_request_from_the_kind_it_wants(make_pool, in_memory_dispatch):
    pool = await make_pool(size=3, **KINDS_LIMITS)
    await all_kinds_warm(pool)
    layer = InMemoryChannelLayer()
    worker = PoolWorker(pool, layer, f"kinds-{uuid.uuid4().hex[:6]}")
    await worker.start()
    try:
        for code, expected in [
            (PRELOADED, "light"),
            (PLOTTING, "numpy"),
            (TABULATING, "numpy,pandas"),
            (PRELOADED, "light"),
            ("import matplotlib\n" + PRELOADED, "numpy"),
        ]:
            # Each run waits for every kind to be warm again, so the kind it gets is its own.
            await wait_until_async(
                lambda: all(pool.stats()["warm_by_kind"].values()),
                60,
                lambda: f"every kind warm again: {pool.stats()}",
            )
            stdout, exit_message = await run_through_worker(layer, code, sandbox=sandbox_kind(code))
            assert exit_message["reason"] == "ok", exit_message
            assert stdout.splitlines()[0] == expected, code
    finally:
        await worker.stop()
