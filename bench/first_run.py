"""The first run after start: from the moment the server says it serves to the first output.

    .venv/bin/python bench/first_run.py [--quick] [--repeat 3] [--modes embedded,compose]
        [--ready-timeout 120] [--runtimes auto] [--pool-size 4] [--preload auto]

Each repeat starts fresh servers (shipped configuration unless the flags say otherwise, printed
in the header; bench/engine.py's database and Redis) and, as soon as they serve, opens a socket
and runs print('hi'), timing to its first `stdout` (the socket's opening included):

- embedded: what `make run` starts, daphne alone without REDIS_URL (the pool lives in the web
  process). It serves once /readyz answers 200: when `make run` prints "Node Engine serves"
  (scripts/announce_ready.py, whose first request also starts the embedded pool). /readyz is
  polled from when daphne listens, for up to --ready-timeout s: if it says ok, the run starts
  then, and the table has "listening -> /readyz ok" and "/readyz ok -> first stdout"; if it does
  not, the run starts after the wait, and the table has "first socket -> first stdout".
- compose: daphne + `runpool` on Redis, as docker-compose runs them; it serves once /readyz says
  ok (a worker has warm capacity): "start -> /readyz ok" and "/readyz ok -> first stdout".

Beside them: a cold `docker run --rm` of the same program (first output), in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold import HI, cold_sequential
from engine import bench_redis_url, django, prepare_database, tokens
from pool_state import readyz
from shipped import BenchConfig, add_arguments, configs, header, table
from ws_load import LoadClient

Row = tuple[str, str, str, str, str]


def ready_within(origin: str, timeout: float) -> float | None:
    """The moment (time.monotonic) /readyz says ok, None if it does not within `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (readyz(origin) or {}).get("status") == "ok":
            return time.monotonic()
        time.sleep(0.02)
    return None


async def first_stdout_ms(servers: Any, token: str) -> tuple[float, float]:
    """From now to the first stdout of print('hi'), socket opening included; and of that, the
    socket's opening."""
    started = time.perf_counter()
    client = await LoadClient.connect(servers, token)
    connected = time.perf_counter()
    timing = await client.run(HI)
    await client.close()
    if not timing.ok:
        raise RuntimeError(f"the first run failed: {timing}")
    return (connected - started) * 1000 + timing.first_stdout_ms, (connected - started) * 1000


def servers_for(config: BenchConfig, embedded: bool) -> Any:
    from django.conf import settings

    from harness.engine import Servers

    extra = {"DEBUG": "true"} if embedded else {}  # `make run` turns DEBUG on
    redis = None if embedded else bench_redis_url()
    return Servers.create(
        settings.DATABASES["default"], redis, test_settings=False, **config.server_env(), **extra
    )


def one_start(config: BenchConfig, embedded: bool, token: str, wait: float) -> dict[str, float]:
    """One fresh start: seconds from serving (embedded: listening) or start (compose) to /readyz
    ok (nan if not within `wait`), and ms from then (or the wait's end) to the first stdout."""
    servers = servers_for(config, embedded)
    try:
        started = time.monotonic()
        servers.start_daphne()
        if embedded:
            started = time.monotonic()
        else:
            servers.start_worker(size=config.pool_size, wait=False)
        ready = ready_within(servers.origin, wait)
        first, socket_ms = asyncio.run(first_stdout_ms(servers, token))
        ready_s = math.nan if ready is None else ready - started
        return {"ready_s": ready_s, "first_ms": first, "socket_ms": socket_ms}
    finally:
        servers.stop()


def mode_rows(mode: str, starts: list[dict[str, float]], cold_ms: float, wait: float) -> list[Row]:
    ready = [s["ready_s"] for s in starts if not math.isnan(s["ready_s"])]
    first = statistics.median(s["first_ms"] for s in starts)
    socket_ms = statistics.median(s["socket_ms"] for s in starts)
    name = "embedded (make run)" if mode == "embedded" else "compose (runpool)"
    shown = f"p50 of {len(starts)}"
    if len(ready) < len(starts):
        return [
            (
                f"{name}: /readyz ok",
                f"{len(ready)}/{len(starts)} starts within {wait:g} s",
                "",
                "",
                "",
            ),
            (
                f"  first socket -> first stdout, {shown}",
                f"{first:.0f} ms (socket {socket_ms:.0f} ms)",
                f"{cold_ms:.0f} ms cold",
                f"{100 * first / cold_ms:.0f} % of cold",
                "<= 50 ms",
            ),
        ]
    return [
        (
            f"{name}: {'listening' if mode == 'embedded' else 'start'} -> /readyz ok, {shown}",
            f"{statistics.median(ready):.1f} s",
            "",
            "",
            "",
        ),
        (
            f"  /readyz ok -> first stdout, {shown}",
            f"{first:.0f} ms (socket {socket_ms:.0f} ms)",
            f"{cold_ms:.0f} ms cold",
            f"{100 * first / cold_ms:.0f} % of cold",
            "<= 50 ms",
        ),
    ]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="One start per mode, short waits.")
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--modes", default="embedded,compose")
    parser.add_argument("--ready-timeout", type=float)
    parser.add_argument("--cold", type=int, default=3)
    add_arguments(parser)
    args = parser.parse_args()
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.ready_timeout = args.ready_timeout or (60.0 if args.quick else 120.0)
    return args


def main() -> None:
    args = parse_args()
    django.setup()
    prepare_database()
    [token] = tokens(1)
    for config in configs(args):
        print(header(config, "bench/first_run.py" + (" --quick" if args.quick else "")))
        cold = asyncio.run(cold_sequential(config.image, config.runtime, HI, args.cold))
        cold_ms = statistics.median(r.first_ms for r in cold)
        rows: list[Row] = [("measure", "Node Engine", "baseline", "ratio", "target")]
        for mode in (m.strip() for m in args.modes.split(",") if m.strip()):
            starts = [
                one_start(config, mode == "embedded", token, args.ready_timeout)
                for _ in range(args.repeat)
            ]
            rows.extend(mode_rows(mode, starts, cold_ms, args.ready_timeout))
        print(table(rows))


if __name__ == "__main__":
    main()
