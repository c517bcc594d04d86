"""Fixtures for tests that need the real Docker engine and the sandbox image.

`docker_ready` (session) FAILS, never skips, when the engine or the image is missing: a suite
that silently skipped its sandbox tests would pass without testing the sandbox. Deselect them
explicitly with `-m "not docker"` when that is really meant.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import docker
import pytest

from execution.sandbox import RunLimits, SandboxPool
from execution.sandbox.container import (
    LABEL_MANAGED,
    LABEL_WORKER,
    docker_client,
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


@pytest.fixture
async def make_pool(docker_ready) -> AsyncIterator[PoolFactory]:
    """make_pool(size=1, **limit_overrides) -> a started pool with its containers warm.
    Every pool made is stopped (and its containers removed) when the test ends."""
    pools: list[SandboxPool] = []

    async def make(size: int = 1, *, worker_name: str | None = None, **overrides) -> SandboxPool:
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
        leftovers = labelled_containers(docker_ready, pool.worker_name)
        assert not leftovers, f"pool {pool.worker_name} left containers behind: {leftovers}"


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
