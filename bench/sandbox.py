"""Warm pool vs cold container: time to the first stdout chunk of print('hi').

    .venv/bin/python bench/sandbox.py [--warm 100] [--cold 20] [--lines 100000] [--image IMAGE]
        [--runtimes runc,runsc] [--seconds 15]

Warm: acquire() + run() until on_output receives the first chunk (pool of 4, runs one after
another). Cold: `docker run --rm IMAGE python3 -c "print('hi')"` until its first stdout byte.
Prints p50/p90/min per method and the p50 ratio. Then the streaming rate through the pool alone
(no WebSocket): a loop printing --lines numbers, MB/s from its first to its last output chunk
(median of 3), and how many on_output deliveries it took. Needs the engine and the image
(`make sandbox-image`); uses a worker name of its own and removes its containers.

All of it once per runtime of --runtimes (runc, runsc = gVisor), then a side-by-side table per
runtime: first stdout p50/p99 (warm), sustained runs/s with 8 clients through one pool of 8, how
many containers were warm during that load (min / mean: does the pool keep its size?), and the
memory of a warm container (its cgroup's usage, gVisor's own memory included).
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from execution.sandbox import RunLimits, SandboxPool


def limits(runtime: str) -> RunLimits:
    return RunLimits(runtime=runtime)


async def warm_samples(image: str, count: int, pool_size: int, runtime: str) -> list[float]:
    pool = SandboxPool(f"bench-sandbox-{uuid.uuid4().hex[:8]}", pool_size, image, limits(runtime))
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
            sandbox = await pool.acquire()
            # With a run id, as the pool worker passes one.
            run_id = uuid.uuid4().hex
            run = asyncio.create_task(sandbox.run("print('hi')", on_output, run_id=run_id))
            samples.append(await first - started)
            await run
    finally:
        await pool.stop()
    return samples


async def sustained(image: str, runtime: str, seconds: float, clients: int = 8) -> dict:
    """runs/s with `clients` running print('hi') back to back through one pool of as many, the
    warm containers seen meanwhile (min, mean), and a warm container's memory (MiB)."""
    pool = SandboxPool(f"bench-sandbox-{uuid.uuid4().hex[:8]}", clients, image, limits(runtime))
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
                sandbox = await pool.acquire(timeout=60)
                result = await sandbox.run("print('hi')", lambda stream, text: asyncio.sleep(0))
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
    image: str, lines: int, runtime: str, repeat: int = 3
) -> list[tuple[float, int]]:
    """(MB/s from the first to the last stdout chunk, number of chunks) per run."""
    pool = SandboxPool(f"bench-sandbox-{uuid.uuid4().hex[:8]}", 1, image, limits(runtime))
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
            result = await sandbox.run(f"for i in range({lines}):\n    print(i)\n", on_output)
            if result.reason != "ok" or "".join(chunks) != expected:
                raise RuntimeError(f"incomplete output: {result}")
            samples.append((len(expected) / (times[-1] - times[0]) / 1e6, len(chunks)))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=100)
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--pool-size", type=int, default=4)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="Sustained-load phase.")
    parser.add_argument("--runtimes", default="runc,runsc")
    default_image = os.environ.get("SANDBOX_IMAGE", "nodeengine-sandbox:latest")
    parser.add_argument("--image", default=default_image)
    args = parser.parse_args()

    summary: dict[str, dict] = {}
    for runtime in [r.strip() for r in args.runtimes.split(",") if r.strip()]:
        warm = asyncio.run(warm_samples(args.image, args.warm, args.pool_size, runtime))
        cold = cold_samples(args.image, args.cold, runtime) if args.cold else []
        print(f"\n[{runtime}] first stdout chunk of print('hi'), image {args.image}")
        print(f"{'method':<28}{'n':>5}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'min ms':>10}")
        print(row("warm pool (acquire+run)", warm))
        if cold:
            print(row("cold docker run --rm", cold))
            print(f"p50 ratio cold/warm: {statistics.median(cold) / statistics.median(warm):.1f}x")
        if args.lines:
            rates = asyncio.run(lines_samples(args.image, args.lines, runtime))
            print(
                f"print loop of {args.lines} lines through the pool: "
                f"{statistics.median(r for r, _ in rates):.2f} MB/s median "
                f"(runs: {', '.join(f'{r:.2f}' for r, _ in rates)}), "
                f"{statistics.median(n for _, n in rates):.0f} output chunks"
            )
        load = asyncio.run(sustained(args.image, runtime, args.seconds))
        summary[runtime] = {
            "p50": pct(warm, 0.5),
            "p99": pct(warm, 0.99),
            "cold": statistics.median(cold) * 1000 if cold else None,
            **load,
        }

    print("\nside by side")
    header = ["measure", *summary]
    measures = [
        ("first stdout p50 (warm)", lambda f: f"{f['p50']:.1f} ms"),
        ("first stdout p99 (warm)", lambda f: f"{f['p99']:.1f} ms"),
        ("cold docker run p50", lambda f: f"{f['cold']:.0f} ms" if f["cold"] else "-"),
        ("runs/s, 8 clients", lambda f: f"{f['rate']:.1f}"),
        ("warm during load (min/mean of 8)", lambda f: f"{f['warm_min']}/{f['warm_mean']:.1f}"),
        (
            "memory per warm container",
            lambda f: f"{f['memory_mib']:.0f} MiB" if f["memory_mib"] else "?",
        ),
    ]
    table = [header] + [[name, *(cell(f) for f in summary.values())] for name, cell in measures]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
