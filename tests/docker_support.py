"""Fixtures for tests that need the real Docker engine and the sandbox image.

`docker_ready` (session) FAILS, never skips, when the engine or the image is missing: a suite
that silently skipped its sandbox tests would pass without testing the sandbox. Deselect them
explicitly with `-m "not docker"` when that is really meant.

`make_pool`'s pools resolve their runtime as a worker does (runsc where the engine has it). A
module that imports `make_pool_each_runtime` and `sandbox_runtime` replaces it: each of its tests
then runs under runc and under runsc (gVisor). runsc is skipped, with the reason, only where
scripts/ensure_docker.sh could not register it; SANDBOX_REQUIRE_RUNSC=1 makes that a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import docker
import pytest
from django.conf import settings

from execution import dispatch
from execution.sandbox import RunLimits, SandboxPool
from execution.sandbox.container import (
    LABEL_MANAGED,
    LABEL_WORKER,
    RUNTIME_AUTO,
    RUNTIME_GVISOR,
    RUNTIMES,
    docker_client,
    engine_runtimes,
    list_worker_containers,
)

SANDBOX_IMAGE = os.environ.get("SANDBOX_IMAGE", "nodeengine-sandbox:latest")
# Small limits keep the limit tests quick; each test may override some.
TEST_LIMITS = RunLimits(
    wall_seconds=5.0,
    cpu_seconds=2,
    memory_mb=64,
    pids=32,
    output_bytes=64 * 1024,
    stdin_total_bytes=16 * 1024,
    script_bytes=64 * 1024,
)


@pytest.fixture(scope="session")
def docker_ready() -> docker.DockerClient:
    try:
        client = docker_client(timeout=10)
        client.ping()
    except Exception as exc:
        pytest.fail(
            f"The Docker engine does not answer ({exc}). Start it and build the sandbox image "
            "with `make sandbox-image` (or run the suite with `make test`).",
            pytrace=False,
        )
    try:
        client.images.get(SANDBOX_IMAGE)
    except docker.errors.ImageNotFound:
        pytest.fail(
            f"The sandbox image {SANDBOX_IMAGE} is missing: run `make sandbox-image`.",
            pytrace=False,
        )
    remove_abandoned_test_containers(client)
    return client


TEST_WORKER_PREFIX = "sbxtest-"
# A test pool's containers live for seconds; older ones were left by a test run killed hard.
ABANDONED_AFTER_SECONDS = 30 * 60


def unique_worker_name(prefix: str = "t") -> str:
    """Per test: parallel engineers' and tests' containers are never touched."""
    return f"{TEST_WORKER_PREFIX}{prefix}-{uuid.uuid4().hex[:10]}"


def remove_abandoned_test_containers(client: docker.DockerClient) -> None:
    now = time.time()
    for summary in client.api.containers(all=True, filters={"label": f"{LABEL_MANAGED}=1"}):
        worker = summary.get("Labels", {}).get(LABEL_WORKER, "")
        age = now - summary["Created"]
        if worker.startswith(TEST_WORKER_PREFIX) and age > ABANDONED_AFTER_SECONDS:
            with contextlib.suppress(docker.errors.APIError):
                client.api.remove_container(summary["Id"], force=True)


def labelled_containers(client: docker.DockerClient, worker_name: str) -> list[dict]:
    return list_worker_containers(client.api, worker_name)


PoolFactory = Callable[..., Awaitable[SandboxPool]]


def require_runtime(client: docker.DockerClient, runtime: str) -> None:
    """Skip (or, with SANDBOX_REQUIRE_RUNSC=1, fail) a runsc test on an engine without runsc."""
    if runtime != RUNTIME_GVISOR or RUNTIME_GVISOR in engine_runtimes(client.api):
        return
    reason = (
        "runsc (gVisor) is not registered with this Docker engine: scripts/ensure_docker.sh "
        "could not install or register it (see its output)"
    )
    if os.environ.get("SANDBOX_REQUIRE_RUNSC") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@contextlib.asynccontextmanager
async def pool_factory(client: docker.DockerClient, runtime: str) -> AsyncIterator[PoolFactory]:
    """make(size=1, **limit_overrides) -> a started pool (under `runtime`), its containers warm.
    Every pool made is stopped (and its containers removed) on the way out."""
    pools: list[SandboxPool] = []

    async def make(size: int = 1, *, worker_name: str | None = None, **overrides) -> SandboxPool:
        overrides.setdefault("runtime", runtime)
        limits = RunLimits(**{**TEST_LIMITS.__dict__, **overrides})
        pool = SandboxPool(
            worker_name=worker_name or unique_worker_name(),
            size=size,
            image=SANDBOX_IMAGE,
            limits=limits,
            max_backoff=2.0,
            health_interval=0.2,
        )
        pools.append(pool)
        await pool.start()
        await pool.wait_ready(timeout=60)
        return pool

    yield make
    for pool in pools:
        await pool.stop()
        leftovers = labelled_containers(client, pool.worker_name)
        assert not leftovers, f"pool {pool.worker_name} left containers behind: {leftovers}"


@pytest.fixture
async def make_pool(docker_ready) -> AsyncIterator[PoolFactory]:
    """make_pool(size=1, **limit_overrides): pools under SANDBOX_RUNTIME (`make test` sets runc),
    resolved as a worker's is when it is unset."""
    async with pool_factory(docker_ready, settings.SANDBOX_RUNTIME or RUNTIME_AUTO) as make:
        yield make


@pytest.fixture(params=RUNTIMES)
def sandbox_runtime(request, docker_ready) -> str:
    """runc, then runsc (skipped, with the reason, on an engine without it)."""
    require_runtime(docker_ready, request.param)
    return request.param


@pytest.fixture(name="make_pool")
async def make_pool_each_runtime(docker_ready, sandbox_runtime) -> AsyncIterator[PoolFactory]:
    """make_pool for a module whose every test must hold under both runtimes: it imports this
    (and `sandbox_runtime`), and each of its tests runs under runc and under runsc."""
    async with pool_factory(docker_ready, sandbox_runtime) as make:
        yield make


class Transcript:
    """Collects a run's output events, in arrival order, for assertions."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    async def __call__(self, stream: str, text: str) -> None:
        self.events.append((stream, text))

    def text(self, stream: str = "stdout") -> str:
        return "".join(t for s, t in self.events if s == stream)

    @property
    def stdout(self) -> str:
        return self.text("stdout")

    @property
    def stderr(self) -> str:
        return self.text("stderr")


async def run_code(pool: SandboxPool, code: str) -> tuple:
    """Acquire a sandbox, run `code` with no stdin, return (result, transcript)."""
    transcript = Transcript()
    sandbox = await pool.acquire(timeout=60)
    result = await sandbox.run(code, transcript)
    return result, transcript


async def run_through_worker(
    layer: Any, code: str, *, sandbox: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Send one run request to a PoolWorker on `layer` the way the web side does (`sandbox`: the
    kind of sandbox the request asks for, as sandbox_kind(code) gives it); return (its stdout,
    the run.exit message), within a minute."""
    reply_to = await layer.new_channel()
    request = {
        "type": dispatch.REQUEST,
        "run_id": str(uuid.uuid4()),
        "user_id": 1,
        "code": code,
        "reply_to": reply_to,
        "deadline": time.time() + 60,
    }
    if sandbox is not None:
        request["sandbox"] = sandbox
    await layer.send(dispatch.request_channel(), request)
    stdout = ""
    async with asyncio.timeout(60):
        while True:
            message = await layer.receive(reply_to)
            if message["type"] == dispatch.OUTPUT:
                stdout += "".join(text for stream, text in message["chunks"] if stream == "stdout")
            elif message["type"] == dispatch.EXIT:
                return stdout, message
