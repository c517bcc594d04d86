"""Warm pool vs cold container: time to the first stdout chunk of print('hi').

    .venv/bin/python bench/sandbox.py [--quick] [--warm 100] [--cold 20] [--lines 100000]
        [--seconds 15] [--runtimes auto|runc,runsc] [--pool-size 4] [--preload auto]
        [--memory-mb 128] [--image IMAGE]

The pools run in the shipped configuration (bench/shipped.py: runsc when Docker knows it,
SANDBOX_PRELOAD=auto, POOL_SIZE=4, RUN_MEMORY_MB=128) unless the flags say otherwise, printed in
a header per runtime. `--quick`: small counts, a smoke test.

Warm: acquire() (of the script's kind, execution/sandbox_kind.py, as the web side asks) + run()
until on_output receives the first chunk (pool of --pool-size, runs one after another).
Cold: `docker run --rm IMAGE python3 -c "print('hi')"` until its first stdout byte. Prints
p50/p90/min per method and the p50 ratio. Then the streaming rate through the pool alone
(no WebSocket): a loop printing --lines numbers, MB/s from its first to its last output chunk
(median of 3), and how many on_output deliveries it took. Needs the engine and the image
(`make sandbox-image`); uses a worker name of its own and removes its containers.

All of it once per runtime of --runtimes (runc, runsc = gVisor), then a side-by-side table per
runtime: first stdout p50/p99 (warm), sustained runs/s with 8 clients through one pool of
--pool-size, how many containers were warm during that load (min / mean: does the pool keep its
size?), and the memory of a warm container (its cgroup's usage, gVisor's own memory included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from shipped import BenchConfig, add_arguments, configs, header

from execution.sandbox import SandboxPool
from execution.sandbox_kind import sandbox_kind

HI = "print('hi')"


def new_pool(config: BenchConfig, size: int) -> SandboxPool:
    name = f"bench-sandbox-{uuid.uuid4().hex[:8]}"
    return SandboxPool(name, size, config.image, config.limits())


async def warm_samples(config: BenchConfig, count: int) -> list[float]:
    pool = new_pool(config, config.pool_size)
    await pool.start()
    samples: list[float] = []
    try:
        await pool.wait_ready(120)
        for _ in range(count):
            # Steady state: wait for the pool to be full again, as between real user runs.
            await pool.wait_ready(120)
            first = asyncio.get_running_loop().create_future()

            async def on_output(stream: str, text: str, first=first) -> None:
                if stream == "stdout" and not first.done():
                    first.set_result(time.perf_counter())

            started = time.perf_counter()
            sandbox = await pool.acquire(kind=sandbox_kind(HI))
            # With a run id, as the pool worker passes one.
            run_id = uuid.uuid4().hex
            run = asyncio.create_task(sandbox.run(HI, on_output, run_id=run_id))
            samples.append(await first - started)
            await run
    finally:
        await pool.stop()
    return samples


async def sustained(config: BenchConfig, seconds: float, clients: int = 8) -> dict:
    """runs/s with `clients` running print('hi') back to back through one pool of the config's
    size, the warm containers seen meanwhile (min, mean), and a warm container's memory (MiB)."""
    pool = new_pool(config, config.pool_size)
    await pool.start()
    done = 0
    warm: list[int] = []
    try:
        await pool.wait_ready(120)
        await asyncio.sleep(1)
        memory = [container_memory_mib(sandbox.id) for sandbox in list(pool._warm)]
        stop_at = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < stop_at:
                sandbox = await pool.acquire(timeout=60, kind=sandbox_kind(HI))
                result = await sandbox.run(HI, lambda stream, text: asyncio.sleep(0))
                if result.reason != "ok":
                    raise RuntimeError(f"run failed: {result}")
                done += 1

        async def watch() -> None:
            while time.perf_counter() < stop_at:
                warm.append(pool.stats()["warm"])
                await asyncio.sleep(0.1)

        started = time.perf_counter()
        await asyncio.gather(watch(), *(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        await pool.stop()
    return {
        "rate": done / elapsed,
        "warm_min": min(warm),
        "warm_mean": statistics.mean(warm),
        "memory_mib": statistics.median(m for m in memory if m is not None)
        if any(memory)
        else None,
    }


def container_memory_mib(container_id: str) -> float | None:
    """The container's cgroup memory usage (v1 or v2), None when not readable from here."""
    for path in (
        f"/sys/fs/cgroup/memory/docker/{container_id}/memory.usage_in_bytes",
        f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/memory.current",
    ):
        try:
            return int(Path(path).read_text()) / 2**20
        except (OSError, ValueError):
            continue
    return None


async def lines_samples(
    config: BenchConfig, lines: int, repeat: int = 3
) -> list[tuple[float, int]]:
    """(MB/s from the first to the last stdout chunk, number of chunks) per run."""
    pool = new_pool(config, 1)
    await pool.start()
    expected = "".join(f"{i}\n" for i in range(lines))
    samples = []
    try:
        for _ in range(repeat):
            await pool.wait_ready(120)
            chunks: list[str] = []
            times: list[float] = []

            async def on_output(stream: str, text: str, chunks=chunks, times=times) -> None:
                times.append(time.perf_counter())
                chunks.append(text)

            sandbox = await pool.acquire()
            started = time.perf_counter()
            result = await sandbox.run(f"for i in range({lines}):\n    print(i)\n", on_output)
            if result.reason != "ok" or "".join(chunks) != expected:
                raise RuntimeError(f"incomplete output: {result}")
            # Output that came in one chunk (a short loop) is timed from the run's start.
            first = times[0] if len(times) > 1 else started
            samples.append((len(expected) / (times[-1] - first) / 1e6, len(chunks)))
    finally:
        await pool.stop()
    return samples


def cold_samples(
    image: str, count: int, runtime: str, code: str = "print('hi')", env: tuple[str, ...] = ()
) -> list[float]:
    """Seconds to the first stdout byte of `code` in a cold `docker run --rm` (env: -e pairs)."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                *("docker", "run", "--rm", f"--runtime={runtime}", "--network", "none"),
                *(part for pair in env for part in ("-e", pair)),
                *(image, "python3", "-c", code),
            ],
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.read(1)
        samples.append(time.perf_counter() - started)
        proc.communicate()
    return samples


def pct(samples: list[float], fraction: float) -> float:
    ms = sorted(s * 1000 for s in samples)
    return ms[min(len(ms) - 1, int(len(ms) * fraction))]


def row(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (
        f"{name:<28}{len(ms):>5}{statistics.median(ms):>10.1f}{pct(samples, 0.9):>10.1f}"
        f"{pct(samples, 0.99):>10.1f}{ms[0]:>10.1f}"
    )


QUICK = {"warm": 10, "cold": 3, "lines": 10_000, "seconds": 5.0}
FULL = {"warm": 100, "cold": 20, "lines": 100_000, "seconds": 15.0}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small counts: a smoke test.")
    parser.add_argument("--warm", type=int)
    parser.add_argument("--cold", type=int)
    parser.add_argument("--lines", type=int)
    parser.add_argument("--seconds", type=float, help="Sustained-load phase.")
    add_arguments(parser)
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main() -> None:
    args = parse_args()
    summary: dict[str, dict] = {}
    for config in configs(args):
        runtime = config.runtime
        print(header(config, "bench/sandbox.py" + (" --quick" if args.quick else "")))
        warm = asyncio.run(warm_samples(config, args.warm))
        cold = cold_samples(config.image, args.cold, runtime) if args.cold else []
        print(f"\n[{runtime}] first stdout chunk of print('hi'), image {config.image}")
        print(f"{'method':<28}{'n':>5}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'min ms':>10}")
        print(row("warm pool (acquire+run)", warm))
        if cold:
            print(row("cold docker run --rm", cold))
            print(f"p50 ratio cold/warm: {statistics.median(cold) / statistics.median(warm):.1f}x")
        if args.lines:
            rates = asyncio.run(lines_samples(config, args.lines))
            print(
                f"print loop of {args.lines} lines through the pool: "
                f"{statistics.median(r for r, _ in rates):.2f} MB/s median "
                f"(runs: {', '.join(f'{r:.2f}' for r, _ in rates)}), "
                f"{statistics.median(n for _, n in rates):.0f} output chunks"
            )
        load = asyncio.run(sustained(config, args.seconds))
        summary[runtime] = {
            "p50": pct(warm, 0.5),
            "p99": pct(warm, 0.99),
            "cold": statistics.median(cold) * 1000 if cold else None,
            **load,
        }

    print("\nside by side")
    columns = ["measure", *summary]
    measures = [
        ("first stdout p50 (warm)", lambda f: f"{f['p50']:.1f} ms"),
        ("first stdout p99 (warm)", lambda f: f"{f['p99']:.1f} ms"),
        ("cold docker run p50", lambda f: f"{f['cold']:.0f} ms" if f["cold"] else "-"),
        ("runs/s, 8 clients", lambda f: f"{f['rate']:.2f}"),
        (
            f"warm during load (min/mean of {args.pool_size})",
            lambda f: f"{f['warm_min']}/{f['warm_mean']:.1f}",
        ),
        (
            "memory per warm container",
            lambda f: f"{f['memory_mib']:.0f} MiB" if f["memory_mib"] else "?",
        ),
    ]
    table = [columns] + [[name, *(cell(f) for f in summary.values())] for name, cell in measures]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
