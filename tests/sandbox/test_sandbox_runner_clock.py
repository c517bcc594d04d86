"""The sandbox keeps time itself: a script ends a moment past its wall limit and an unused warm
container ends after its idle time, with no pool to do it (a pool worker that died).

Each container here is started by the pool's own code (create_and_start: the same policy) but
then left alone: no pool watches it, as after its worker was killed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from execution.sandbox.container import create_and_start, remove_container
from execution.sandbox.limits import RunLimits
from execution.sandbox.protocol import EXIT_IDLE, EXIT_WALL_LIMIT, READY_MARKER, encode_script
from harness.waiting import wait_until_async
from tests.docker_support import SANDBOX_IMAGE, unique_worker_name

pytestmark = pytest.mark.docker


@pytest.fixture
def orphan(docker_ready: Any) -> Iterator[Any]:
    """start(limits) -> a started, attached container that no pool will look after."""
    started: list[Any] = []

    def start(**limits: Any) -> Any:
        container = create_and_start(
            docker_ready.api, unique_worker_name(), SANDBOX_IMAGE, RunLimits(**limits)
        )
        started.append(container)
        return container

    yield start
    for container in started:
        with contextlib.suppress(Exception):
            container.sock.close()
        remove_container(docker_ready.api, container.id)


def wait_ready(container: Any) -> None:
    container.sock.settimeout(30)
    got = b""
    while READY_MARKER not in got:
        chunk = container.sock.recv(4096)
        assert chunk, f"the container ended before it was ready: {got!r}"
        got += chunk


def exit_code(docker_ready: Any, container: Any, within: float = 60) -> int:
    return docker_ready.api.wait(container.id, timeout=within)["StatusCode"]


def test_a_script_ends_past_its_wall_limit_with_no_pool_watching(docker_ready, orphan):
    container = orphan(wall_seconds=1)
    wait_ready(container)
    container.sock.sendall(encode_script("import time\nprint('up', flush=True)\ntime.sleep(600)"))
    assert exit_code(docker_ready, container) == EXIT_WALL_LIMIT


def test_the_script_cannot_wind_the_clock_back(docker_ready, orphan):
    container = orphan(wall_seconds=1)
    wait_ready(container)
    # The child's "script started" notice travels on a pipe it closes before the script runs
    # (runner.py): no descriptor of the script's reaches it, and PID 1 (root) takes no signal
    # from the script (it once was SIGUSR1).
    code = (
        "import contextlib, os, signal, time\n"
        "while True:\n"
        "    with contextlib.suppress(PermissionError):\n"
        "        os.kill(1, signal.SIGUSR1)\n"
        "    for fd in range(3, 64):\n"
        "        with contextlib.suppress(OSError):\n"
        "            os.write(fd, b'S')\n"
        "    time.sleep(0.1)\n"
    )
    container.sock.sendall(encode_script(code))
    assert exit_code(docker_ready, container) == EXIT_WALL_LIMIT


def test_a_warm_container_nobody_uses_ends_after_its_idle_time(docker_ready, orphan):
    container = orphan(idle_seconds=1)
    wait_ready(container)
    assert exit_code(docker_ready, container) == EXIT_IDLE


async def test_a_live_pool_renews_its_warm_containers_before_their_idle_time(make_pool):
    pool = await make_pool(size=1, idle_seconds=3)

    async def renewed(earlier: set[str]) -> set[str]:
        """The warm containers once none of `earlier` is among them."""

        def replacements() -> set[str]:
            now = {s.id for s in pool._warm}
            return now if now.isdisjoint(earlier) else set()

        return await wait_until_async(
            replacements, 30, lambda: f"{earlier} to be renewed: {pool.stats()}", interval=0.1
        )

    # Each generation is replaced before its idle time would end it: the replacement's too.
    second = await renewed({s.id for s in pool._warm})
    await renewed(second)
    assert pool.stats()["failures"] == 0  # renewed before, never found dead
    sandbox = await pool.acquire(timeout=60)
    result = await sandbox.run("print('fresh')", lambda stream, text: asyncio.sleep(0))
    assert result.reason == "ok"
