"""Capacity in the configuration we ship: many users pressing Run, beside cold containers.

    .venv/bin/python bench/capacity.py [--quick] [--scenarios plot,sustained,mixed,paced,burst]
        [--runtimes auto] [--pool-size 4] [--preload auto] [--memory-mb 128]
        [--burst-pool-sizes default,30] [--burst-users 30] [--paced-seconds 60] [--seconds 20]

Starts its own daphne + runpool (bench/engine.py's bench_servers: shipped configuration unless
the flags say otherwise, printed in the header), every user a distinct account on its own
WebSocket, and prints one table per runtime, Node Engine beside its baseline measured in the same
run (cold `docker run --rm --runtime <same> --network none` of the sandbox image, bench/cold.py),
with the ratio and the target it must meet. Each baseline is measured while the pool is full and at
rest, before the load it is compared with. Scenarios:

- plot: warm plot -> display. A 100-point matplotlib plot (`plt.show()`), 3 uncounted, then
  --plot-runs runs one after another (--pace s apart): from sending `run` to the `display`
  event, p50/p95; beside a cold container doing the same imports and plot (PNG written), to its
  first output after it.
- sustained: runs/s with 8 clients (8 users, each one run after another for --seconds), of
  print('hi') and of the plot (completion = the `exit` after the `display`), each beside
  --cold-total cold containers of the same program, 8 at a time.
- mixed: the same 8 clients, each alternating a plain and a plotting script (half each):
  runs/s, and first result (first stdout, or the display) p50/p95, beside the same mix cold.
- paced: --paced-rate runs/s (2.5) for --paced-seconds from 4 users in turn, each run sent on
  schedule whatever the others do: first stdout p50/p99, how many ended ok; beside the
  sequential warm p50 of --sequential runs 1 s apart (the figure when the pool keeps up).
- burst: a classroom. --burst-users users (30), connected beforehand, each press Run on a loop
  printing 10 lines within --burst-spread s (1): first stdout p50/p95, completion p95, how many
  ended ok; beside as many cold containers of the same program started at once. Once per pool
  size of --burst-pool-sizes ("default" = --pool-size), each on fresh servers, with the memory
  the warm pool takes at rest before the burst (its containers' cgroup usage summed).

`--quick`: small counts (a smoke test; the figures are not comparable with the issue's).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold import HI, PLOT, TEN_LINES, ColdRun, cold_burst, cold_rate, cold_sequential
from engine import bench_servers, django, prepare_database, tokens
from pool_state import pool_memory_mib, wait_until_warm
from shipped import BenchConfig, add_arguments, configs, header, pct, table
from ws_load import RunTiming, back_to_back, close_all, connect_all, run_later

Row = tuple[str, str, str, str, str]  # measure, Node Engine, baseline, ratio, target
SCENARIOS = ("plot", "sustained", "mixed", "paced", "burst")
QUICK = {
    "plot_runs": 5,
    "cold": 2,
    "seconds": 6.0,
    "cold_total": 8,
    "paced_seconds": 8.0,
    "sequential": 3,
    "burst_users": 8,
    "burst_pool_sizes": "default,8",
}
FULL = {
    "plot_runs": 30,
    "cold": 5,
    "seconds": 20.0,
    "cold_total": 24,
    "paced_seconds": 60.0,
    "sequential": 20,
    "burst_users": 30,
    "burst_pool_sizes": "default,30",
}


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def ratio(engine: float, baseline: float) -> str:
    if math.isnan(engine) or math.isnan(baseline) or engine <= 0:
        return "-"
    return f"{100 * engine / baseline:.0f} % of cold"


def plot_ok(timing: RunTiming) -> bool:
    return timing.ok and not math.isnan(timing.display_ms)


def firsts(timings: list[RunTiming]) -> list[float]:
    return [t.first_result_ms() for t in timings if not math.isnan(t.first_result_ms())]


def cold_firsts(runs: list[ColdRun]) -> list[float]:
    return [r.first_ms for r in runs if not math.isnan(r.first_ms)]


def failures(timings: list[RunTiming]) -> str:
    reasons = [t.reason for t in timings if not t.ok]
    return f" ({len(reasons)} failed: {', '.join(sorted(set(reasons)))})" if reasons else ""


# --- scenarios: each on servers whose pool is full and at rest, returning its rows ----------


async def warm_plot(servers: Any, config: BenchConfig, args: Any, users: list[str]) -> list[Row]:
    cold = await cold_sequential(config.image, config.runtime, PLOT, args.cold)
    [client] = await connect_all(servers, users[:1])
    for _ in range(3):  # uncounted: the pool learns that plots are asked for (its kinds follow)
        await client.run(PLOT)
    wait_until_warm(servers.origin, config.pool_size)
    timings = []
    for _ in range(args.plot_runs):
        timings.append(await client.run(PLOT))
        await asyncio.sleep(args.pace)
    await close_all([client])
    shown = [t.display_ms for t in timings if plot_ok(t)]
    missing = len(timings) - len(shown)
    note = f" ({missing} without display)" if missing else ""
    return [
        (
            f"warm plot -> display, p50 of {len(timings)}",
            ms(pct(shown, 0.5)) + note,
            f"{ms(pct(cold_firsts(cold), 0.5))} cold",
            ratio(pct(shown, 0.5), pct(cold_firsts(cold), 0.5)),
            "<= 120 ms",
        ),
        ("  p95", ms(pct(shown, 0.95)), f"{ms(pct(cold_firsts(cold), 0.95))} cold", "", ""),
    ]


async def sustained(servers: Any, config: BenchConfig, args: Any, users: list[str]) -> list[Row]:
    rows = []
    for label, code in (("print('hi')", HI), ("100-point plot", PLOT)):
        wait_until_warm(servers.origin, config.pool_size)
        cold_per_s, cold = await cold_rate(config.image, config.runtime, [code], 8, args.cold_total)
        wait_until_warm(servers.origin, config.pool_size)
        clients = await connect_all(servers, users[:8])
        per_s, timings = await back_to_back(clients, [code], args.seconds)
        await close_all(clients)
        if code == PLOT:
            per_s *= sum(plot_ok(t) for t in timings) / max(1, sum(t.ok for t in timings))
        rows.append(
            (
                f"sustained runs/s, 8 clients, {label}",
                f"{per_s:.2f}{failures(timings)}",
                f"{cold_per_s:.2f} docker run/s" + ("" if all(r.ok for r in cold) else " (fails)"),
                ratio(per_s, cold_per_s),
                ">= 100 %",
            )
        )
    return rows


async def mixed(servers: Any, config: BenchConfig, args: Any, users: list[str]) -> list[Row]:
    codes = [HI, PLOT]
    cold_per_s, cold = await cold_rate(config.image, config.runtime, codes, 8, args.cold_total)
    wait_until_warm(servers.origin, config.pool_size)
    clients = await connect_all(servers, users[:8])
    per_s, timings = await back_to_back(clients, codes, args.seconds)
    await close_all(clients)
    first, cold_first = firsts(timings), cold_firsts(cold)
    return [
        (
            "mixed (half plot), 8 clients: runs/s",
            f"{per_s:.2f}{failures(timings)}",
            f"{cold_per_s:.2f} docker run/s",
            ratio(per_s, cold_per_s),
            "",
        ),
        (
            "  first output/display p50",
            ms(pct(first, 0.5)),
            f"{ms(pct(cold_first, 0.5))} cold",
            ratio(pct(first, 0.5), pct(cold_first, 0.5)),
            "",
        ),
        (
            "  first output/display p95",
            ms(pct(first, 0.95)),
            f"{ms(pct(cold_first, 0.95))} cold",
            ratio(pct(first, 0.95), pct(cold_first, 0.95)),
            "",
        ),
    ]


async def paced(servers: Any, config: BenchConfig, args: Any, users: list[str]) -> list[Row]:
    clients = await connect_all(servers, users[:4])
    sequential = []
    for _ in range(args.sequential):
        sequential.append((await clients[0].run(HI)).first_stdout_ms)
        await asyncio.sleep(1.0)
    wait_until_warm(servers.origin, config.pool_size)
    count = round(args.paced_rate * args.paced_seconds)
    timings = await asyncio.gather(
        *(run_later(clients[k % 4], HI, k / args.paced_rate) for k in range(count))
    )
    await close_all(clients)
    first = [t.first_stdout_ms for t in timings if t.ok]
    warm50 = statistics.median(sequential)
    label = f"paced {args.paced_rate:g} runs/s, {args.paced_seconds:g} s, 4 users"
    return [
        (label + ": ok", f"{len(first)}/{count}{failures(timings)}", "", "", f"{count}/{count}"),
        (
            "  first output p50",
            ms(pct(first, 0.5)),
            f"{ms(warm50)} sequential warm",
            f"{pct(first, 0.5) / warm50:.1f}x",
            "<= 10 ms",
        ),
        (
            "  first output p99",
            ms(pct(first, 0.99)),
            f"{ms(pct(sequential, 0.99))} sequential",
            "",
            "<= 60 ms",
        ),
    ]


async def burst(servers: Any, config: BenchConfig, args: Any, users: list[str]) -> list[Row]:
    n = args.burst_users
    clients = await connect_all(servers, users[:n])
    memory, containers = pool_memory_mib(servers.env["POOL_WORKER_NAME"])
    cold = await cold_burst(config.image, config.runtime, TEN_LINES, [0.0] * n)
    wait_until_warm(servers.origin, config.pool_size)
    offsets = [i * args.burst_spread / n for i in range(n)]
    presses = (run_later(c, TEN_LINES, o) for c, o in zip(clients, offsets, strict=True))
    timings = list(await asyncio.gather(*presses))
    await close_all(clients)
    first = [t.first_stdout_ms for t in timings if t.ok]
    ends = [t.exit_ms for t in timings if t.ok]
    cold_first, cold_ends = cold_firsts(cold), [r.end_ms for r in cold if r.ok]
    target = "<= 250 ms" if config.pool_size >= n else "<= 50 % of cold"
    return [
        (
            f"burst {n} users in {args.burst_spread:g} s, POOL_SIZE={config.pool_size}: ok",
            f"{len(first)}/{n}{failures(timings)}",
            f"{len(cold_ends)}/{n} cold, started at once",
            "",
            f"{n}/{n}",
        ),
        (
            "  first output p50",
            ms(pct(first, 0.5)),
            f"{ms(pct(cold_first, 0.5))} cold",
            ratio(pct(first, 0.5), pct(cold_first, 0.5)),
            "",
        ),
        (
            "  first output p95",
            ms(pct(first, 0.95)),
            f"{ms(pct(cold_first, 0.95))} cold",
            ratio(pct(first, 0.95), pct(cold_first, 0.95)),
            target,
        ),
        (
            "  exit p95",
            ms(pct(ends, 0.95)),
            f"{ms(pct(cold_ends, 0.95))} cold",
            ratio(pct(ends, 0.95), pct(cold_ends, 0.95)),
            "",
        ),
        ("  warm pool memory at rest", f"{memory:.0f} MiB in {containers} containers", "", "", ""),
    ]


RUNNERS = {"plot": warm_plot, "sustained": sustained, "mixed": mixed, "paced": paced}


# --- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small counts: a smoke test.")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--plot-runs", type=int)
    parser.add_argument("--pace", type=float, default=0.5, help="Pause between plot runs (s).")
    parser.add_argument("--cold", type=int, help="Sequential cold runs (the plot's baseline).")
    parser.add_argument("--seconds", type=float, help="Length of the sustained and mixed loads.")
    parser.add_argument("--cold-total", type=int, help="Cold runs for a runs/s baseline.")
    parser.add_argument("--paced-rate", type=float, default=2.5)
    parser.add_argument("--paced-seconds", type=float)
    parser.add_argument("--sequential", type=int, help="Sequential warm runs (paced baseline).")
    parser.add_argument("--burst-users", type=int)
    parser.add_argument("--burst-spread", type=float, default=1.0)
    parser.add_argument("--burst-pool-sizes", help='Comma-separated; "default" = --pool-size.')
    add_arguments(parser)
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    unknown = set(args.scenarios.split(",")) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}: expected some of {SCENARIOS}")
    return args


def burst_sizes(args: argparse.Namespace) -> list[int]:
    return [
        args.pool_size if size.strip() == "default" else int(size)
        for size in args.burst_pool_sizes.split(",")
        if size.strip()
    ]


def measure(config: BenchConfig, args: argparse.Namespace, users: list[str]) -> list[Row]:
    """Every scenario asked for, the burst once per pool size, each size on fresh servers."""
    wanted = args.scenarios.split(",")
    rows: list[Row] = []
    if any(name in wanted for name in RUNNERS):
        with bench_servers(config) as servers:
            for name in (n for n in RUNNERS if n in wanted):
                wait_until_warm(servers.origin, config.pool_size)
                rows.extend(asyncio.run(RUNNERS[name](servers, config, args, users)))
    if "burst" in wanted:
        for size in burst_sizes(args):
            sized = config.with_pool_size(size)
            with bench_servers(sized) as servers:
                rows.extend(asyncio.run(burst(servers, sized, args, users)))
    return rows


def main() -> None:
    args = parse_args()
    django.setup()
    prepare_database()
    users = tokens(max(8, args.burst_users))
    for config in configs(args):
        print(header(config, "bench/capacity.py" + (" --quick" if args.quick else "")))
        rows = measure(config, args, users)
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")
        print(table([("measure", "Node Engine", "baseline", "ratio", "target"), *rows]))


if __name__ == "__main__":
    main()
