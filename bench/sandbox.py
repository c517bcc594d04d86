"""Warm pool vs cold container: time to the first stdout chunk of print('hi').

    .venv/bin/python bench/sandbox.py [--warm 100] [--cold 20] [--lines 100000] [--image IMAGE]

Warm: acquire() + run() until on_output receives the first chunk (pool of 4, runs one after
another). Cold: `docker run --rm IMAGE python3 -c "print('hi')"` until its first stdout byte.
Prints p50/p90/min per method and the p50 ratio. Then the streaming rate through the pool alone
(no WebSocket): a loop printing --lines numbers, MB/s from its first to its last output chunk
(median of 3), and how many on_output deliveries it took. Needs the engine and the image
(`make sandbox-image`); uses a worker name of its own and removes its containers.
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


async def warm_samples(image: str, count: int, pool_size: int) -> list[float]:
    pool = SandboxPool(f"bench-sandbox-{uuid.uuid4().hex[:8]}", pool_size, image, RunLimits())
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


async def lines_samples(image: str, lines: int, repeat: int = 3) -> list[tuple[float, int]]:
    """(MB/s from the first to the last stdout chunk, number of chunks) per run."""
    pool = SandboxPool(f"bench-sandbox-{uuid.uuid4().hex[:8]}", 1, image, RunLimits())
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


def cold_samples(image: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        proc = subprocess.Popen(
            ["docker", "run", "--rm", "--network", "none", image, "python3", "-c", "print('hi')"],
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.read(1)
        samples.append(time.perf_counter() - started)
        proc.communicate()
    return samples


def row(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return f"{name:<28}{len(ms):>5}{statistics.median(ms):>10.1f}{p90:>10.1f}{ms[0]:>10.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=100)
    parser.add_argument("--cold", type=int, default=20)
    parser.add_argument("--pool-size", type=int, default=4)
    parser.add_argument("--lines", type=int, default=100_000)
    default_image = os.environ.get("SANDBOX_IMAGE", "nodeengine-sandbox:latest")
    parser.add_argument("--image", default=default_image)
    args = parser.parse_args()

    warm = asyncio.run(warm_samples(args.image, args.warm, args.pool_size))
    cold = cold_samples(args.image, args.cold)
    print(f"first stdout chunk of print('hi'), image {args.image}")
    print(f"{'method':<28}{'n':>5}{'p50 ms':>10}{'p90 ms':>10}{'min ms':>10}")
    print(row("warm pool (acquire+run)", warm))
    print(row("cold docker run --rm", cold))
    print(f"p50 ratio cold/warm: {statistics.median(cold) / statistics.median(warm):.1f}x")
    if args.lines:
        rates = asyncio.run(lines_samples(args.image, args.lines))
        print(
            f"print loop of {args.lines} lines through the pool: "
            f"{statistics.median(r for r, _ in rates):.2f} MB/s median "
            f"(runs: {', '.join(f'{r:.2f}' for r, _ in rates)}), "
            f"{statistics.median(n for _, n in rates):.0f} output chunks"
        )


if __name__ == "__main__":
    main()
