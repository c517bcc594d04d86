"""The execution engine end to end: real WebSocket -> daphne -> Redis -> runpool -> Docker.

    .venv/bin/python bench/engine.py [--quick] [--runs 200] [--cold 20] [--seconds 15]
        [--sockets 1000] [--runtimes auto|runc,runsc] [--pool-size 4] [--preload auto]

Starts its own daphne + runpool in the shipped configuration (bench/shipped.py: runsc when Docker
knows it, SANDBOX_PRELOAD=auto, POOL_SIZE=4, RUN_MEMORY_MB=128; flags override it; REDIS_URL from
BENCH_REDIS_URL, default redis://127.0.0.1:6379/7, a database of the benches' own; Postgres
database from BENCH_DATABASE_URL, default postgres://root@127.0.0.1:5432/ne_engine_bench,
created and migrated if missing), prints that configuration, and one table, Node Engine beside
its baseline measured in the same run, with the ratio, once per sandbox runtime of --runtimes
(the cold baseline is `docker run --runtime` of the same one). `--quick`: a smoke test at small
counts (figures not comparable).

1. time from sending `run` to the first `stdout` frame of print('hi'), p50/p99 over --runs
   sequential runs (paced by --pace seconds, as a user's runs are, so the pool refills), beside
   a cold `docker run --rm` of the same image (over --cold); plus the p50 of each hop the client
   sees (run -> queued -> started -> first stdout);
2. sustained runs/s with 8 clients (8 users, each one run at a time) beside the host's raw rate
   of `docker run --rm` with the same concurrency;
3. daphne's RSS growth per idle authenticated socket over --sockets sockets, and the
   first-output latency of a run on one more socket while they are held (beside the p50 of 1.);
4. a run printing --lines lines: all arrive in order; MB/s from `started` to `exit`, beside
   `docker run --rm` of the same image running the same program unbuffered, `python3 -u` (MB/s
   from its first output byte to its end: Docker's streaming rate at one write per print; the
   sandbox's runner buffers instead, see sandbox_image/script_output.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://root@127.0.0.1:5432/ne_engine_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
os.environ.setdefault("SECRET_KEY", "bench-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")
os.environ["REDIS_URL"] = ""  # this process needs only the ORM; the servers get the real one

import django  # noqa: E402


def prepare_database() -> None:
    import psycopg
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def bench_redis_url() -> str:
    """The benches' servers' Redis: a database of their own, so /readyz counts only their
    workers (bench/pool_state.py)."""
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)


@contextlib.contextmanager
def bench_servers(config: Any, worker: bool = True) -> Iterator[Any]:
    """daphne + one runpool of `config.pool_size` in `config`'s configuration (shipped unless
    the flags said otherwise), its pool full and at rest; stopped (containers removed) after."""
    from django.conf import settings
    from pool_state import wait_until_warm

    from harness.engine import Servers

    servers = Servers.create(
        settings.DATABASES["default"],
        bench_redis_url(),
        test_settings=False,
        **config.server_env(),
    )
    try:
        servers.start_daphne()
        if worker:
            servers.start_worker(size=config.pool_size)
            wait_until_warm(servers.origin, config.pool_size)
        yield servers
    finally:
        servers.stop()
        print(f"(daphne + runpool logs: {servers.log_dir})")


def tokens(count: int) -> list[str]:
    from django.contrib.auth import get_user_model

    from harness.engine import make_token

    users = get_user_model().objects
    return [make_token(users.get_or_create(username=f"bench{i}")[0]) for i in range(count)]


def pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- 1. latency -----------------------------------------------------------------------------


async def run_hops_ms(client: Any, code: str = "print('hi')") -> dict[str, float]:
    """Milliseconds from sending `run` to the first `queued`, `started` and `stdout` frames."""
    ref = uuid.uuid4().hex[:8]
    sent = time.perf_counter()
    await client.send(type="run", ref=ref, code=code)
    hops: dict[str, float] = {}
    while True:
        event = await client.recv(60)
        if event["type"] in ("queued", "started", "stdout"):
            hops.setdefault(event["type"], (time.perf_counter() - sent) * 1000)
        if event["type"] == "exit" and client.by_ref.get(ref) == event["run_id"]:
            if event["reason"] != "ok":
                raise RuntimeError(f"bench run failed: {event}")
            hops.setdefault("stdout", float("nan"))
            return hops
        if event["type"] == "error":
            raise RuntimeError(f"bench run refused: {event}")


async def first_output_ms(client: Any, code: str = "print('hi')") -> float:
    return (await run_hops_ms(client, code))["stdout"]


async def latency(servers: Any, token: str, runs: int, pace: float) -> list[dict[str, float]]:
    from harness.engine import WsClient

    client = await WsClient.connect(servers, token)
    for _ in range(5):  # warm-up: imports, connections, JIT-less but cache-warm paths
        await run_hops_ms(client)
        await asyncio.sleep(pace)
    samples = []
    for _ in range(runs):
        samples.append(await run_hops_ms(client))
        await asyncio.sleep(pace)
    await client.close()
    return samples


def docker_run(image: str, runtime: str) -> list[str]:
    return ["docker", "run", "--rm", f"--runtime={runtime}", "--network", "none", image]


def cold_docker_ms(image: str, runtime: str = "runc") -> float:
    """Time to the first stdout byte of a cold `docker run --rm`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*docker_run(image, runtime), "python3", "-c", "print('hi')"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    process.stdout.read(1)
    first = (time.perf_counter() - started) * 1000
    process.wait()
    return first


# --- 2. throughput --------------------------------------------------------------------------


async def sustained_rate(servers: Any, client_tokens: list[str], seconds: float) -> float:
    from harness.engine import WsClient

    clients = [await WsClient.connect(servers, token) for token in client_tokens]
    done = 0
    stop_at = time.perf_counter() + seconds

    async def loop(client: Any) -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await first_output_ms(client)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.close()
    return done / elapsed


def raw_docker_rate(image: str, concurrency: int, total: int, runtime: str = "runc") -> float:
    def one(_: int) -> None:
        subprocess.run(
            [*docker_run(image, runtime), "python3", "-c", "print('hi')"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as executor:
        list(executor.map(one, range(total)))
    return total / (time.perf_counter() - started)


# --- 3. idle sockets ------------------------------------------------------------------------


async def idle_sockets(servers: Any, token: str, count: int) -> tuple[float, float]:
    import websockets

    from harness.engine import WsClient

    pid = servers.daphne.pid
    # One socket first, so the per-process start-up (channel layer pools) is not counted.
    probe = await WsClient.connect(servers, token)
    await asyncio.sleep(1)
    before = rss_kib(pid)
    url = f"{servers.ws_url}?token={token}"
    held = []
    for start in range(0, count, 50):
        batch = [
            websockets.connect(url, origin=servers.origin, open_timeout=60)
            for _ in range(min(50, count - start))
        ]
        held.extend(await asyncio.gather(*batch))
    await asyncio.sleep(2)
    after = rss_kib(pid)
    extra = await WsClient.connect(servers, token)
    samples = [await first_output_ms(extra) for _ in range(5)]
    for ws in held:
        await ws.close()
    await extra.close()
    await probe.close()
    return (after - before) / count, statistics.median(samples)


# --- 4. many lines --------------------------------------------------------------------------


async def many_lines(servers: Any, token: str, lines: int) -> tuple[bool, float, int]:
    from harness.engine import WsClient

    client = await WsClient.connect(servers, token)
    run_id = await client.start(code=f"for i in range({lines}):\n    print(i)\n")
    await client.wait_for(run_id, "started", 60)
    started = time.perf_counter()
    outcome = await client.finish(run_id, 120)
    elapsed = time.perf_counter() - started
    await client.close()
    expected = "".join(f"{i}\n" for i in range(lines))
    size = len(outcome.stdout.encode())
    return outcome.stdout == expected and outcome.reason == "ok", size / elapsed / 1e6, size


def docker_lines_mbps(image: str, lines: int) -> float:
    """Docker's own rate for the same program, unbuffered (one write per print)."""
    process = subprocess.Popen(
        [
            "docker",
            "run",
            "--rm",
            "--network",
            "none",
            image,
            "python3",
            "-u",
            "-c",
            f"for i in range({lines}):\n    print(i)\n",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    first = process.stdout.read(1)
    started = time.perf_counter()
    size = len(first) + len(process.stdout.read())
    elapsed = time.perf_counter() - started
    process.wait()
    return size / elapsed / 1e6


# --- main -----------------------------------------------------------------------------------


def measure(servers: Any, args: Any, image: str, user_tokens: list[str], runtime: str) -> list:
    """The table's rows for one configuration (its own daphne + runpool, pool full)."""
    rows: list[tuple[str, str, str, str, str]] = []
    hops = asyncio.run(latency(servers, user_tokens[0], args.runs, args.pace))
    samples = [h["stdout"] for h in hops]
    cold = [cold_docker_ms(image, runtime) for _ in range(args.cold)]
    p50, p99 = pct(samples, 0.5), pct(samples, 0.99)
    cold50, cold99 = pct(cold, 0.5), pct(cold, 0.99)
    rows.append(
        (
            "run -> first stdout, p50",
            f"{p50:.1f} ms",
            f"{cold50:.0f} ms cold",
            f"{cold50 / p50:.0f}x faster",
            "<= 8 ms (quiet machine)",
        )
    )
    rows.append(
        (
            "run -> first stdout, p99",
            f"{p99:.1f} ms",
            f"{cold99:.0f} ms cold",
            f"{cold99 / p99:.0f}x faster",
            "<= 40 ms",
        )
    )
    for hop in ("queued", "started"):
        rows.append(
            (f"  run -> {hop}, p50", f"{pct([h[hop] for h in hops], 0.5):.1f} ms", "", "", "")
        )

    rate = asyncio.run(sustained_rate(servers, user_tokens[1:9], args.seconds))
    raw = raw_docker_rate(image, 8, args.raw, runtime)
    rows.append(
        (
            "sustained runs/s, 8 clients",
            f"{rate:.1f}",
            f"{raw:.1f} docker run/s",
            f"{100 * rate / raw:.0f} %",
            ">= 100 %",
        )
    )

    per_socket, extra_ms = asyncio.run(idle_sockets(servers, user_tokens[0], args.sockets))
    rows.append(
        (f"RSS per idle socket ({args.sockets})", f"{per_socket:.1f} KiB", "", "", "<= 45 KiB")
    )
    rows.append(
        (
            "first stdout with them held, p50 of 5",
            f"{extra_ms:.1f} ms",
            f"{p50:.1f} ms without",
            f"{extra_ms / p50:.1f}x",
            "<= p99",
        )
    )

    ok, mbps, size = asyncio.run(many_lines(servers, user_tokens[0], args.lines))
    docker_mbps = docker_lines_mbps(image, args.lines)
    rows.append(
        (
            f"{args.lines} lines ({size} B): MB/s",
            f"{mbps:.2f}" + ("" if ok else " INCOMPLETE"),
            f"{docker_mbps:.2f} docker run",
            f"{100 * mbps / docker_mbps:.0f} %",
            "complete, in order",
        )
    )
    return rows


QUICK = {"runs": 20, "cold": 3, "seconds": 5.0, "raw": 8, "sockets": 50, "lines": 10_000}
FULL = {"runs": 200, "cold": 20, "seconds": 15.0, "raw": 48, "sockets": 1000, "lines": 100_000}


def parse_args() -> argparse.Namespace:
    from shipped import add_arguments

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small counts: a smoke test.")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--cold", type=int)
    parser.add_argument("--pace", type=float, default=0.25, help="Pause between latency runs (s).")
    parser.add_argument("--seconds", type=float, help="Throughput phase length.")
    parser.add_argument("--raw", type=int, help="docker run --rm count for the baseline.")
    parser.add_argument("--sockets", type=int)
    parser.add_argument("--lines", type=int)
    add_arguments(parser)
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main() -> None:
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    django.setup()
    from shipped import configs, header

    prepare_database()
    user_tokens = tokens(9)
    for config in configs(args):
        print(header(config, "bench/engine.py" + (" --quick" if args.quick else "")))
        load_before = f"{os.getloadavg()[0]:.1f}"
        rows: list[tuple[str, str, str, str, str]] = []  # measure, engine, baseline, ratio, target
        with bench_servers(config) as servers:
            rows.extend(measure(servers, args, config.image, user_tokens, config.runtime))
        header_row = ("measure", "Node Engine", "baseline", "ratio", "target")
        widths = [max(len(str(r[i])) for r in [header_row, *rows]) for i in range(5)]
        print(f"\nload average before / after: {load_before} / {os.getloadavg()[0]:.1f}")
        for row in [header_row, *rows]:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
