"""Sandboxes fitted to the script: a pool keeps light sandboxes (the interpreter alone) and data
ones (numpy, pandas and matplotlib preloaded) in proportion to recent demand; a run gets the
kind its code wants when one is warm, and the other kind still runs it correctly."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

from execution import dispatch
from execution.sandbox import SandboxPool
from execution.sandbox_kind import DATA, LIGHT, sandbox_kind
from execution.worker.pool_worker import PoolWorker

pytestmark = pytest.mark.docker

# Both kinds need room for the preload (container.PRELOAD_MIN_MEMORY_MB).
KINDS_LIMITS = {"memory_mb": 128, "preload": "auto", "wall_seconds": 20.0, "cpu_seconds": 10}
# pandas is preloaded in a data sandbox and imported by nothing a light one runs.
PRELOADED = "import sys\nprint('preloaded' if 'pandas' in sys.modules else 'light')\n"
PLOTTING = (
    "import sys\nprint('preloaded' if 'pandas' in sys.modules else 'light')\n"
    "import matplotlib.pyplot as plt\nplt.plot(range(100))\nplt.show()\n"
)


async def wait_until(predicate, timeout: float = 60) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - polling the pool's stats
            await asyncio.sleep(0.05)


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


async def test_each_kind_runs_what_it_was_made_for(make_pool):
    pool = await make_pool(size=2, **KINDS_LIMITS)
    await wait_until(lambda: pool.stats()["warm_by_kind"] == {LIGHT: 1, DATA: 1})

    got, stdout, _, result = await run_in(pool, PRELOADED, LIGHT)
    assert (got, stdout.strip(), result.reason) == (LIGHT, "light", "ok")

    got, stdout, events, result = await run_in(pool, PLOTTING, DATA)
    assert (got, stdout.strip(), result.reason) == (DATA, "preloaded", "ok")
    assert [e["mime"] for e in events if e.get("type") == "display"] == ["image/png"]


async def test_a_misprediction_still_runs_correctly(make_pool):
    # Only light sandboxes (as under a small memory limit): a plotting script imports at run time.
    pool = await make_pool(size=1, **{**KINDS_LIMITS, "preload": "none"})
    assert pool.kinds == (LIGHT,)
    got, stdout, events, result = await run_in(pool, PLOTTING, DATA)
    assert (got, stdout.strip(), result.reason) == (LIGHT, "light", "ok")
    assert [e["mime"] for e in events if e.get("type") == "display"] == ["image/png"]

    # And the other way round: a plain script in a preloaded sandbox.
    only_data = await make_pool(size=1, **{**KINDS_LIMITS, "preload": "data"})
    got, stdout, _, result = await run_in(only_data, "print(6 * 7)", LIGHT)
    assert (got, stdout.strip(), result.reason) == (DATA, "42", "ok")


async def test_the_pools_kinds_follow_demand(make_pool):
    pool = await make_pool(size=3, **KINDS_LIMITS)
    await wait_until(lambda: pool.stats()["warm_by_kind"] == {LIGHT: 2, DATA: 1})
    for _ in range(12):  # a class starts plotting
        sandbox = await pool.acquire(timeout=60, kind=DATA)
        await sandbox.discard()
    assert pool.stats()["target_by_kind"] == {LIGHT: 1, DATA: 2}
    await wait_until(lambda: pool.stats()["warm_by_kind"] == {LIGHT: 1, DATA: 2})
    for _ in range(20):  # and back to printing
        sandbox = await pool.acquire(timeout=60, kind=LIGHT)
        await sandbox.discard()
    assert pool.stats()["target_by_kind"] == {LIGHT: 2, DATA: 1}
    await wait_until(lambda: pool.stats()["warm_by_kind"] == {LIGHT: 2, DATA: 1})


@pytest.fixture
def in_memory_dispatch(settings) -> None:
    settings.REDIS_URL = ""  # claims in memory: this test's worker is the only one
    settings.POOL_REQUEST_CHANNEL = f"pool.requests.kinds{uuid.uuid4().hex[:8]}"


async def through_worker(layer: InMemoryChannelLayer, code: str) -> tuple[str, dict]:
    """One request as the web side sends it (its `sandbox` field from the code)."""
    reply_to = await layer.new_channel()
    await layer.send(
        dispatch.request_channel(),
        {
            "type": dispatch.REQUEST,
            "run_id": str(uuid.uuid4()),
            "user_id": 1,
            "code": code,
            "sandbox": sandbox_kind(code),
            "reply_to": reply_to,
            "deadline": time.time() + 60,
        },
    )
    stdout = ""
    async with asyncio.timeout(60):
        while True:
            message = await layer.receive(reply_to)
            if message["type"] == dispatch.OUTPUT:
                stdout += "".join(text for stream, text in message["chunks"] if stream == "stdout")
            elif message["type"] == dispatch.EXIT:
                return stdout, message


async def test_the_worker_serves_each_request_from_the_kind_it_wants(make_pool, in_memory_dispatch):
    pool = await make_pool(size=2, **KINDS_LIMITS)
    await wait_until(lambda: pool.stats()["warm_by_kind"] == {LIGHT: 1, DATA: 1})
    layer = InMemoryChannelLayer()
    worker = PoolWorker(pool, layer, f"kinds-{uuid.uuid4().hex[:6]}")
    await worker.start()
    try:
        for code, expected in [
            (PRELOADED, "light"),
            (PLOTTING, "preloaded"),
            (PRELOADED, "light"),
            ("import matplotlib\n" + PRELOADED, "preloaded"),
        ]:
            # Each run waits for both kinds to be warm again, so the kind it gets is its own.
            await wait_until(
                lambda: (
                    pool.stats()["warm_by_kind"].get(LIGHT, 0) >= 1
                    and pool.stats()["warm_by_kind"].get(DATA, 0) >= 1
                )
            )
            stdout, exit_message = await through_worker(layer, code)
            assert exit_message["reason"] == "ok", exit_message
            assert stdout.splitlines()[0] == expected, code
    finally:
        await worker.stop()
