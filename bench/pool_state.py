"""The warm pool as seen from outside: is it full (via /readyz), and how much memory it takes.

/readyz sums the warm sandboxes of every live worker publishing heartbeats to the servers' Redis
database, so the load benches give their servers a Redis database of their own (BENCH_REDIS_URL,
bench/engine.py) and count only their own worker.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from typing import Any

import requests


def readyz(origin: str) -> dict[str, Any] | None:
    """/readyz's body (None when it does not answer)."""
    with contextlib.suppress(requests.RequestException, ValueError):
        return requests.get(f"{origin}/readyz", timeout=5).json()
    return None


def warm_count(origin: str) -> int:
    body = readyz(origin) or {}
    return int(((body.get("checks") or {}).get("workers") or {}).get("warm") or 0)


def wait_until_warm(origin: str, size: int, timeout: float = 300.0, rest: float = 2.0) -> float:
    """Seconds until `size` sandboxes are warm, then `rest` more (their start's CPU settles)."""
    started = time.monotonic()
    while warm_count(origin) < size:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"the pool did not reach {size} warm sandboxes in {timeout:.0f} s")
        time.sleep(0.5)
    took = time.monotonic() - started
    time.sleep(rest)
    return took


def worker_containers(worker_prefix: str) -> list[str]:
    """Ids of the running sandbox containers of workers whose name starts with the prefix."""
    import docker

    client = docker.from_env()
    try:
        summaries = client.api.containers(filters={"label": "nodeengine.managed=1"})
    finally:
        client.close()
    return [
        s["Id"]
        for s in summaries
        if (s.get("Labels") or {}).get("nodeengine.worker", "").startswith(worker_prefix)
    ]


def container_memory_mib(container_id: str) -> float | None:
    """The container's cgroup memory usage (v1 or v2; gVisor's own memory included)."""
    for path in (
        f"/sys/fs/cgroup/memory/docker/{container_id}/memory.usage_in_bytes",
        f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/memory.current",
    ):
        with contextlib.suppress(OSError, ValueError):
            with open(path) as file:
                return int(file.read()) / 2**20
    return docker_stats_mib(container_id)


def docker_stats_mib(container_id: str) -> float | None:
    """`docker stats --no-stream`'s usage, where the cgroup files are not readable from here."""
    found = subprocess.run(
        ["docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", container_id],
        capture_output=True,
        text=True,
    )
    usage = found.stdout.split("/")[0].strip()
    units = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "B": 1 / 2**20}
    for unit, factor in units.items():
        if usage.endswith(unit):
            with contextlib.suppress(ValueError):
                return float(usage[: -len(unit)]) * factor
    return None


def pool_memory_mib(worker_prefix: str) -> tuple[float, int]:
    """(MiB summed over the worker's running containers, how many containers)."""
    sizes = [container_memory_mib(c) for c in worker_containers(worker_prefix)]
    return sum(s for s in sizes if s is not None), len(sizes)
