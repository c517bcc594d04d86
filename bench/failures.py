"""How soon a failure reaches whoever waits on it: Redis down, and a pool worker killed mid-run.

    .venv/bin/python bench/failures.py [--quick] [--repeat 5] [--runtimes auto] [--pool-size 4]
        [--preload auto] [--no-worker]

Prints the configuration (bench/shipped.py) and one table, each figure beside a baseline measured
in the same run:

1. the heartbeat store (what /readyz and the ops dashboard read) with Redis stopped: seconds
   from the call to its ConnectionError, beside a redis-py client as the library makes it
   (`redis.Redis.from_url(url)`, its default retry);
2. admission (every run's request) with Redis stopped: seconds until it gives up, beside the
   same default client (asyncio);
3. a pool worker SIGKILLed while its run waits: seconds from the kill to the client's `exit`
   (worker_lost, by the web side's liveness watch), beside the same run ended by the user's
   `kill` while the worker lives (the quickest an exit can come at all). Needs Docker, the
   benches' database and Redis (bench/engine.py); --no-worker leaves this row out.

Rows 1 and 2 use a private redis-server (harness/redis_server.py), stopped for the measure.
The tests assert what these clients do (how many tries, which backoffs:
tests/execution/test_redis_retry.py) and how the run ends (tests/execution/test_worker_fleet.py);
how long it takes is measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import bench_servers, django, prepare_database, tokens
from shipped import add_arguments, configs, header, table

SLEEPER = "import time\nprint('up', flush=True)\ntime.sleep(600)\n"


def seconds_to_fail(call: Callable[[], object]) -> float:
    """Seconds until `call` raises (it must: Redis is down)."""
    started = time.perf_counter()
    try:
        call()
    except Exception:
        return time.perf_counter() - started
    raise RuntimeError("the call succeeded with Redis stopped")


def redis_rows(repeat: int) -> list[tuple[str, ...]]:
    import redis
    import redis.asyncio as aioredis

    from execution.fleet import RedisHeartbeatStore
    from execution.web.admission import RedisAdmission
    from harness.redis_server import PrivateRedis

    server = PrivateRedis()
    server.start()
    try:
        store = RedisHeartbeatStore(server.url)
        plain = redis.Redis.from_url(server.url)
        # Connected once: what fails next is a dropped connection, as when Redis restarts.
        store.all()
        plain.ping()

        async def admission_gives_up() -> tuple[float, float]:
            admission = RedisAdmission(server.url, namespace="bench-failures")
            default = aioredis.Redis.from_url(server.url)
            await admission.position("x")
            await default.ping()
            server.stop()
            ours = await async_seconds_to_fail(lambda: admission.position("x"))
            theirs = await async_seconds_to_fail(default.ping)
            server.start()
            return ours, theirs

        server.stop()
        store_s = [seconds_to_fail(store.all) for _ in range(repeat)]
        plain_s = [seconds_to_fail(plain.ping) for _ in range(repeat)]
        server.start()
        gives_up = [asyncio.run(admission_gives_up()) for _ in range(repeat)]
    finally:
        server.stop()
    admission_s = [ours for ours, _ in gives_up]
    default_s = [theirs for _, theirs in gives_up]
    return [
        row("heartbeat store, Redis down -> error", store_s, plain_s, "redis-py default"),
        row("admission, Redis down -> gives up", admission_s, default_s, "redis-py default"),
    ]


async def async_seconds_to_fail(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    try:
        await call()
    except Exception:
        return time.perf_counter() - started
    raise RuntimeError("the call succeeded with Redis stopped")


def worker_row(config: Any, repeat: int) -> tuple[str, ...]:
    from harness.engine import WsClient

    [token] = tokens(1)
    killed_s: list[float] = []
    ended_s: list[float] = []
    with bench_servers(config) as servers:
        (name,) = servers.workers

        async def one(kill_worker: bool) -> float:
            client = await WsClient.connect(servers, token)
            try:
                run_id = await client.start(code=SLEEPER, timeout=60)
                await client.wait_for(run_id, "stdout", timeout=60)
                started = time.perf_counter()
                if kill_worker:
                    servers.workers[name].send_signal(signal.SIGKILL)
                else:
                    await client.send(type="kill", run_id=run_id)
                await client.finish(run_id, timeout=120)
                return time.perf_counter() - started
            finally:
                await client.close()

        for _ in range(repeat):
            ended_s.append(asyncio.run(one(kill_worker=False)))
            killed_s.append(asyncio.run(one(kill_worker=True)))
            # A worker of the same name removes the dead one's containers on start.
            servers.stop_worker(name)
            servers.start_worker(name=name, size=config.pool_size)
    return row("worker SIGKILLed mid-run -> exit", killed_s, ended_s, "user's kill")


def row(measure: str, ours: list[float], baseline: list[float], what: str) -> tuple[str, ...]:
    """p50s and their difference: the clients here wait on purpose (a retry rides out a Redis
    restart; a worker is given a few missed heartbeats), so the cost is a difference of
    seconds; the default client's instant error is no ratio's denominator."""
    a, b = statistics.median(ours), statistics.median(baseline)
    return (measure, f"{a:.3f} s p50", f"{b:.3f} s p50 ({what})", f"{a - b:+.2f} s")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="One of each: a smoke test.")
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--no-worker", action="store_true", help="Only the Redis rows.")
    add_arguments(parser)
    args = parser.parse_args()
    args.repeat = args.repeat or (1 if args.quick else 5)
    return args


def main() -> None:
    args = parse_args()
    django.setup()
    for config in configs(args):
        print(header(config, "bench/failures.py" + (" --quick" if args.quick else "")))
        rows: list[tuple[str, ...]] = [("measure", "Node Engine", "baseline", "difference")]
        rows.extend(redis_rows(args.repeat))
        if not args.no_worker:
            prepare_database()
            rows.append(worker_row(config, args.repeat))
        print(table(rows))


if __name__ == "__main__":
    main()
