"""The pool's own duties: warm containers, one use each, no leaks, cleanup, recovery."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest

from execution.sandbox import (
    PoolClosed,
    RunLimits,
    SandboxError,
    SandboxPool,
    SandboxUnavailable,
)
from execution.sandbox.container import (
    LABEL_MANAGED,
    LABEL_WORKER,
    RUNSC_HOST_PIDS_BASE,
    RUNSC_HOST_PIDS_PER_TASK,
    RUNSC_MEMORY_OVERHEAD_MB,
    remove_worker_containers,
)
from harness.waiting import wait_until
from tests.docker_support import (
    SANDBOX_IMAGE,
    TEST_LIMITS,
    Transcript,
    labelled_containers,
    run_code,
    unique_worker_name,
)

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[2]


async def settle(pool: SandboxPool) -> None:
    """Wait until background starts and removals are done and the pool is full again."""
    async with asyncio.timeout(60):
        while True:
            stats = pool.stats()
            if stats["starting"] == 0 and stats["removing"] == 0 and stats["warm"] == stats["size"]:
                return
            await asyncio.sleep(0.05)


def running_ids(client, worker_name: str) -> set[str]:
    return {c["Id"] for c in labelled_containers(client, worker_name)}


async def test_containers_carry_the_sandbox_policy(make_pool, docker_ready):
    pool = await make_pool()
    sandbox = await pool.acquire()
    attrs = docker_ready.api.inspect_container(sandbox.id)
    host = attrs["HostConfig"]
    assert attrs["Config"]["Labels"][LABEL_MANAGED] == "1"
    assert attrs["Config"]["Labels"][LABEL_WORKER] == pool.worker_name
    # Root with four capabilities: the runner's supervisor keeps CAP_KILL, the script's process
    # drops to 10001:10001 with none (test_sandbox_isolation.py checks it from inside).
    assert attrs["Config"]["User"] == "0:0"
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert sorted(host["CapAdd"]) == ["KILL", "SETGID", "SETPCAP", "SETUID"]
    assert host["SecurityOpt"] == ["no-new-privileges"]
    gvisor = host.get("Runtime") == "runsc"
    # Under gVisor its own kernel's memory and threads count in the cgroup: the container's limits
    # make room for them, and nproc holds the script (execution/sandbox/container.py).
    overhead_mb = RUNSC_MEMORY_OVERHEAD_MB if gvisor else 0
    assert host["Memory"] == host["MemorySwap"] == (TEST_LIMITS.memory_mb + overhead_mb) * 2**20
    assert host["NanoCpus"] == 1_000_000_000
    assert host["PidsLimit"] == (
        RUNSC_HOST_PIDS_BASE + RUNSC_HOST_PIDS_PER_TASK * TEST_LIMITS.pids
        if gvisor
        else TEST_LIMITS.pids
    )
    ulimits = {u["Name"] for u in host["Ulimits"]}
    assert ulimits >= {"nofile", "fsize", "cpu"} | ({"nproc"} if gvisor else set())
    assert "/tmp" in host["Tmpfs"] and "size=16m" in host["Tmpfs"]["/tmp"]
    assert not attrs["Mounts"]
    await sandbox.discard()


async def test_every_run_gets_a_fresh_container(make_pool):
    pool = await make_pool(size=1)
    ids = []
    for _ in range(3):
        sandbox = await pool.acquire()
        ids.append(sandbox.id)
        await sandbox.run("pass", Transcript())
    assert len(set(ids)) == 3


async def test_nothing_leaks_after_many_runs(make_pool, docker_ready):
    pool = await make_pool(size=2)
    codes = ["print(1)", "1/0", "import sys; sys.exit(4)", "while True: pass", "import time"]

    async def one(i: int) -> None:
        sandbox = await pool.acquire()
        if i % 7 == 3:
            run = asyncio.create_task(sandbox.run("import time; time.sleep(20)", Transcript()))
            await asyncio.sleep(0.1)
            await sandbox.kill()
            await run
        else:
            await sandbox.run(codes[i % len(codes)], Transcript())

    await asyncio.gather(*(one(i) for i in range(12)))
    await settle(pool)
    stats = pool.stats()
    assert stats["served"] == 12
    assert stats["busy"] == 0
    assert len(running_ids(docker_ready, pool.worker_name)) == stats["warm"] == 2


async def test_alive_containers_are_warm_plus_in_flight(make_pool, docker_ready):
    pool = await make_pool(size=2)
    sandbox = await pool.acquire()
    run = asyncio.create_task(sandbox.run("import time; time.sleep(30)", Transcript()))
    await asyncio.sleep(0)  # the run has begun: busy, no longer held
    await settle(pool)
    assert pool.stats()["busy"] == 1
    assert len(running_ids(docker_ready, pool.worker_name)) == 3
    await sandbox.kill()
    await run
    await settle(pool)
    assert len(running_ids(docker_ready, pool.worker_name)) == 2


async def test_a_burst_stops_a_finished_container_at_once_and_removes_it_later(
    make_pool, docker_ready, monkeypatch
):
    """During a burst (acquires close together) a run's container is stopped as the run ends,
    and removed only once the burst pauses, or REMOVAL_DEFER_MAX_SECONDS at the latest."""
    import execution.sandbox.pool as pool_module

    monkeypatch.setattr(pool_module, "BURST_QUIET_SECONDS", 3600.0)  # never pauses by itself
    monkeypatch.setattr(pool_module, "REMOVAL_DEFER_MAX_SECONDS", 8.0)
    pool = await make_pool(size=1)
    sandbox = await pool.acquire()
    await sandbox.run("print(1)", Transcript())

    def state() -> str | None:
        try:
            return docker_ready.api.inspect_container(sandbox.id)["State"]["Status"]
        except Exception:
            return None

    await asyncio.to_thread(wait_until, lambda: state() != "running", 10, "the container stops")
    assert state() == "exited"  # stopped, still there: its removal waits for the burst
    assert pool.stats()["removing"] == 1
    await asyncio.to_thread(wait_until, lambda: state() is None, 30, "the container is removed")
    await settle(pool)


async def test_start_removes_stale_containers_of_its_own_worker_only(make_pool, docker_ready):
    worker, neighbour = unique_worker_name("stale"), unique_worker_name("other")
    for name in (worker, neighbour):
        docker_ready.api.create_container(
            SANDBOX_IMAGE,
            command=["true"],
            labels={LABEL_MANAGED: "1", LABEL_WORKER: name},
        )
    try:
        pool = await make_pool(size=1, worker_name=worker)
        await settle(pool)
        assert len(running_ids(docker_ready, worker)) == 1  # only the pool's own warm one
        assert {c["Id"] for c in labelled_containers(docker_ready, worker)} == {
            s.id for s in pool._warm
        }
        assert len(running_ids(docker_ready, neighbour)) == 1  # untouched
    finally:
        assert remove_worker_containers(neighbour) == 1


async def test_dead_warm_containers_are_replaced(make_pool, docker_ready):
    """As after an engine restart: the warm containers die under the pool, which notices and
    starts new ones by itself."""
    pool = await make_pool(size=2)
    before = running_ids(docker_ready, pool.worker_name)
    for container_id in before:
        docker_ready.api.kill(container_id)
    async with asyncio.timeout(30):
        # Polls Docker's view and the pool's: there is no event to wait for.
        while running_ids(docker_ready, pool.worker_name) & before or pool.stats()["warm"] < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    assert pool.stats()["failures"] >= 2  # the deaths were noticed
    _result, out = await run_code(pool, "print('alive')")
    assert out.stdout == "alive\n"


async def test_acquire_skips_a_container_that_just_died(make_pool, docker_ready):
    pool = await make_pool(size=1)
    pool._health_interval = 60  # the health check must not get there first
    (victim,) = running_ids(docker_ready, pool.worker_name)
    docker_ready.api.kill(victim)
    await asyncio.sleep(0.3)
    _result, out = await run_code(pool, "print('fresh')")
    assert out.stdout == "fresh\n"


async def test_resize_recycle_drain_and_stats(make_pool, docker_ready):
    pool = await make_pool(size=1)
    stats = pool.stats()
    assert {k: stats[k] for k in ("warm", "busy", "size", "image", "served")} == {
        "warm": 1,
        "busy": 0,
        "size": 1,
        "image": SANDBOX_IMAGE,
        "served": 0,
    }
    pool.resize(3)
    await settle(pool)
    assert len(running_ids(docker_ready, pool.worker_name)) == 3
    pool.resize(1)
    await settle(pool)
    assert len(running_ids(docker_ready, pool.worker_name)) == 1

    old = running_ids(docker_ready, pool.worker_name)
    pool.recycle()
    await settle(pool)
    new = running_ids(docker_ready, pool.worker_name)
    assert len(new) == 1 and not (new & old)

    sandbox = await pool.acquire()
    code = "import time; time.sleep(0.5); print('done')"
    run = asyncio.create_task(sandbox.run(code, Transcript()))
    await asyncio.sleep(0.05)
    drained = asyncio.create_task(pool.drain(timeout=30))
    await asyncio.sleep(0.1)
    with pytest.raises(PoolClosed):
        await pool.acquire()
    result = await run  # the run in flight finishes normally
    assert result.reason == "ok"
    await drained
    assert pool.stats()["warm"] == 0 and pool.stats()["busy"] == 0


async def test_stop_kills_runs_in_flight_and_removes_everything(docker_ready):
    pool = SandboxPool(unique_worker_name(), 2, SANDBOX_IMAGE, TEST_LIMITS)
    await pool.start()
    await pool.wait_ready(60)
    sandbox = await pool.acquire()
    run = asyncio.create_task(sandbox.run("import time; time.sleep(30)", Transcript()))
    await asyncio.sleep(0.1)
    await pool.stop()
    assert (await asyncio.wait_for(run, 10)).reason == "killed"
    assert labelled_containers(docker_ready, pool.worker_name) == []
    with pytest.raises(PoolClosed):
        await pool.acquire()


async def test_a_missing_image_is_retried_and_reported(docker_ready):
    pool = SandboxPool(
        unique_worker_name(), 1, "nodeengine-no-such-image:never", TEST_LIMITS, max_backoff=0.5
    )
    await pool.start()
    try:
        with pytest.raises(SandboxUnavailable, match="no-such-image"):
            await pool.acquire(timeout=2)
        assert pool.stats()["failures"] >= 2  # it kept trying, with backoff, without crashing
    finally:
        await pool.stop()


def test_bad_worker_names_are_refused():
    with pytest.raises(ValueError, match="worker_name"):
        SandboxPool("../evil name", 1, SANDBOX_IMAGE, RunLimits())


async def test_run_id_goes_into_the_container_name(make_pool, docker_ready):
    pool = await make_pool()
    sandbox = await pool.acquire()
    run = asyncio.create_task(
        sandbox.run("import time; time.sleep(30)", Transcript(), run_id="run/42 x")
    )
    async with asyncio.timeout(10):
        while True:
            name = docker_ready.api.inspect_container(sandbox.id)["Name"]
            if name.endswith("-run-run-42-x"):
                break
            await asyncio.sleep(0.05)
    await sandbox.kill()
    await run


def _dockerd_running() -> bool:
    return subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True).returncode == 0


def _restart_dockerd() -> None:
    pid = int(subprocess.check_output(["pgrep", "-xo", "dockerd"]).strip())
    os.kill(pid, 15)
    wait_until(lambda: not _dockerd_running(), 60, "dockerd to exit", interval=0.2)
    time.sleep(1)  # the pool sees its streams end and Docker refuse
    subprocess.run([str(ROOT / "scripts" / "ensure_docker.sh")], check=True)


@pytest.mark.skipif(
    os.environ.get("NODEENGINE_TEST_DOCKER_RESTART") != "1",
    reason="restarts the shared Docker engine: set NODEENGINE_TEST_DOCKER_RESTART=1 to run",
)
async def test_pool_survives_a_docker_engine_restart(make_pool):
    pool = await make_pool(size=2)
    await asyncio.to_thread(_restart_dockerd)
    _, out = await asyncio.wait_for(run_code(pool, "print('back')"), 90)
    assert out.stdout == "back\n"
    assert pool.stats()["failures"] >= 1


async def test_running_on_a_sandbox_that_died_while_held_is_refused(make_pool, docker_ready):
    pool = await make_pool()
    sandbox = await pool.acquire()
    docker_ready.api.kill(sandbox.id)
    async with asyncio.timeout(10):
        while sandbox.alive:  # noqa: ASYNC110 - the stream's end is noticed by the event loop
            await asyncio.sleep(0.02)
    with pytest.raises(SandboxError, match="died"):
        await sandbox.run("print('never')", Transcript())
    assert pool.stats()["busy"] == 0
