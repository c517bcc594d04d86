"""A run over REST beside the same run over the WebSocket, in one run of this script.

    .venv/bin/python bench/rest_runs.py [--quick] [--runs 100] [--pace 0.25] [--runtimes auto]
        [--pool-size 4] [--preload auto]

Starts its own daphne + runpool (bench/engine.py's bench_servers: the shipped configuration unless
the flags say otherwise, printed in the header) and prints one table per runtime:

1. REST, two requests: `POST /api/runs/` of print('hi'), then `GET /api/executions/{id}/?wait=30`;
   time from the POST to the answer holding the output, p50/p99;
2. REST, one request: `POST /api/runs/?wait=30`, answered with the finished run;
3. the same run over an open WebSocket: `run` to the first `stdout` frame (bench/engine.py's
   first measure), and `run` to its `exit` frame (what REST's answer waits for: the script's
   end, not only its first output). The baselines: REST can only be slower, the ratios say by
   how much.

Runs alternate REST and socket, paced by --pace seconds, so both see the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import bench_servers, django, pct, prepare_database, tokens
from shipped import add_arguments, configs, header


def rest_run_ms(session: requests.Session, origin: str) -> float:
    sent = time.perf_counter()
    submitted = session.post(f"{origin}/api/runs/", json={"code": "print('hi')"}, timeout=60)
    submitted.raise_for_status()
    result = session.get(submitted.json()["url"] + "?wait=30", timeout=60).json()
    took = (time.perf_counter() - sent) * 1000
    if result["status"] != "finished" or result["output_tail"] != "hi\n":
        raise RuntimeError(f"bench REST run failed: {result}")
    return took


def rest_wait_run_ms(session: requests.Session, origin: str) -> float:
    sent = time.perf_counter()
    answer = session.post(f"{origin}/api/runs/?wait=30", json={"code": "print('hi')"}, timeout=60)
    answer.raise_for_status()
    result = answer.json()
    took = (time.perf_counter() - sent) * 1000
    if result["status"] != "finished" or result["output_tail"] != "hi\n":
        raise RuntimeError(f"bench REST run failed: {result}")
    return took


async def socket_run_ms(client) -> tuple[float, float]:
    """Milliseconds from `run` to the first stdout frame, and to the exit frame."""
    sent = time.perf_counter()
    run_id = await client.start(code="print('hi')")
    first = None
    while True:
        event = await client.recv(60)
        if event.get("run_id") != run_id:
            continue
        if event["type"] == "stdout" and first is None:
            first = (time.perf_counter() - sent) * 1000
        if event["type"] == "exit":
            if event["reason"] != "ok" or first is None:
                raise RuntimeError(f"bench socket run failed: {event}")
            return first, (time.perf_counter() - sent) * 1000


async def alternate(servers, token: str, runs: int, pace: float) -> tuple[list, list]:
    from harness.engine import WsClient

    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    client = await WsClient.connect(servers, token)
    rest, one, first, end = [], [], [], []
    for index in range(runs + 5):  # the first 5 of each warm up
        took_rest = await asyncio.to_thread(rest_run_ms, session, servers.origin)
        await asyncio.sleep(pace)
        took_one = await asyncio.to_thread(rest_wait_run_ms, session, servers.origin)
        await asyncio.sleep(pace)
        took_first, took_end = await socket_run_ms(client)
        await asyncio.sleep(pace)
        if index >= 5:
            rest.append(took_rest)
            one.append(took_one)
            first.append(took_first)
            end.append(took_end)
    await client.close()
    return rest, one, first, end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 runs: a smoke test.")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--pace", type=float, default=0.25)
    add_arguments(parser)
    args = parser.parse_args()
    args.runs = args.runs or (10 if args.quick else 100)
    django.setup()
    prepare_database()
    token = tokens(1)[0]
    for config in configs(args):
        print(header(config, "bench/rest_runs.py" + (" --quick" if args.quick else "")))
        load_before = f"{os.getloadavg()[0]:.1f}"
        with bench_servers(config) as servers:
            rest, one, first, end = asyncio.run(alternate(servers, token, args.runs, args.pace))
        print_table(args.runs, config.runtime, load_before, rest, one, first, end)


def print_table(
    runs: int, runtime: str, load_before: str, rest: list, one: list, first: list, end: list
) -> None:
    """Each REST column beside the socket's exit (what REST waits for), as a ratio."""
    rows = [
        (
            "measure",
            "REST (POST + GET ?wait)",
            "ratio",
            "REST (POST ?wait)",
            "ratio",
            "WS first stdout",
            "WS exit",
        )
    ]
    for label, fraction in (("p50 ms", 0.5), ("p99 ms", 0.99), ("mean ms", None)):

        def stat(values: list[float], fraction: float | None = fraction) -> float:
            return statistics.mean(values) if fraction is None else pct(values, fraction)

        a, b, c, d = stat(rest), stat(one), stat(first), stat(end)
        rows.append(
            (
                label,
                f"{a:.1f}",
                f"{a / d:.2f}x",
                f"{b:.1f}",
                f"{b / d:.2f}x",
                f"{c:.1f}",
                f"{d:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(
        f"\n{runs} runs each, {runtime}; load before / after: {load_before} / "
        f"{os.getloadavg()[0]:.1f}"
    )
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
