"""The data stack's cost and a chart's latency, through the pool alone (no WebSocket).

    .venv/bin/python bench/display.py [--quick] [--runs 30] [--cold 5] [--runtime auto]

(--runtime auto: runsc when Docker knows it, as shipped; RUN_MEMORY_MB as shipped, 128.)

Prints one table, each figure beside its baseline from the same run:

1. time to the first stdout chunk of print('hi') from a warm container whose runner preloaded
   numpy, pandas and matplotlib, beside the same image with `--preload=none` (must not regress);
2. time from sending a script that plots 100 points with matplotlib and calls plt.show() to its
   `display` event (preloaded pool), beside the same plot in a cold `docker run` of the image
   (start, imports, savefig to stdout: until its first stdout byte);
3. the cgroup memory of a warm container, preloaded and not;
4. what `import numpy, pandas, matplotlib.pyplot` takes inside the script (timed by the script),
   preloaded (already in sys.modules: tests/sandbox/test_runner_display.py asserts that) beside
   `--preload=none` (the imports for real).

Needs the engine and the image (`make sandbox-image`); uses worker names of its own and removes
their containers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")
os.environ.setdefault("SECRET_KEY", "bench-secret-key")

from sandbox import cold_samples, container_memory_mib
from shipped import load_average, resolve_runtime

from execution.sandbox import RunLimits, SandboxPool
from execution.sandbox_kind import sandbox_kind

PLOT = "import matplotlib.pyplot as plt\nplt.plot(range(100))\nplt.show()\n"
IMPORTS = (
    "import time\nstarted = time.perf_counter()\n"
    "import numpy, pandas, matplotlib.pyplot\n"
    "print((time.perf_counter() - started) * 1000)\n"
)
COLD_PLOT = (
    "import sys, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    "plt.plot(range(100))\nplt.savefig(sys.stdout.buffer, format='png')\n"
)


async def first_event_samples(
    image: str, runtime: str, preload: str, code: str, event: str, count: int
) -> tuple[list[float], float | None]:
    """Seconds from acquire() to the first stdout chunk (event "stdout") or display event, and
    a warm container's memory (MiB)."""
    limits = RunLimits(runtime=runtime, preload=preload)
    pool = SandboxPool(f"bench-display-{uuid.uuid4().hex[:8]}", 2, image, limits)
    await pool.start()
    samples: list[float] = []
    memory = None
    try:
        await pool.wait_ready(180)
        for _ in range(count):
            await pool.wait_ready(180)
            first = asyncio.get_running_loop().create_future()

            async def on_output(stream: str, text: str, first=first) -> None:
                if event == "stdout" and not first.done():
                    first.set_result(time.perf_counter())

            async def on_event(item: dict, first=first) -> None:
                if item["type"] == event and not first.done():
                    first.set_result(time.perf_counter())

            started = time.perf_counter()
            sandbox = await pool.acquire(kind=sandbox_kind(code))
            if memory is None:
                memory = container_memory_mib(sandbox.id)
            run = asyncio.create_task(sandbox.run(code, on_output, on_event=on_event))
            samples.append(await asyncio.wait_for(first, 60) - started)
            await run
    finally:
        await pool.stop()
    return samples, memory


async def script_import_ms(image: str, runtime: str, preload: str, count: int) -> list[float]:
    """What the data stack's imports take inside the script, in ms, as the script times them."""
    limits = RunLimits(runtime=runtime, preload=preload)
    pool = SandboxPool(f"bench-display-{uuid.uuid4().hex[:8]}", 2, image, limits)
    await pool.start()
    samples: list[float] = []
    try:
        for _ in range(count):
            await pool.wait_ready(180)
            stdout: list[str] = []

            async def on_output(stream: str, text: str, stdout=stdout) -> None:
                if stream == "stdout":
                    stdout.append(text)

            sandbox = await pool.acquire(kind=sandbox_kind(IMPORTS))
            result = await sandbox.run(IMPORTS, on_output)
            if result.reason != "ok":
                raise RuntimeError(f"the imports failed: {result}")
            samples.append(float("".join(stdout)))
    finally:
        await pool.stop()
    return samples


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 runs, 2 cold: a smoke test.")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--cold", type=int)
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--image", default=None)
    args = parser.parse_args()
    args.runs = args.runs or (5 if args.quick else 30)
    args.cold = args.cold or (2 if args.quick else 5)
    args.runtime = resolve_runtime(args.runtime)
    import django

    django.setup()
    from django.conf import settings

    image = args.image or settings.SANDBOX_IMAGE
    hi = "print('hi')"
    loaded, loaded_mib = asyncio.run(
        first_event_samples(image, args.runtime, "data", hi, "stdout", args.runs)
    )
    bare, bare_mib = asyncio.run(
        first_event_samples(image, args.runtime, "none", hi, "stdout", args.runs)
    )
    chart, _ = asyncio.run(
        first_event_samples(image, args.runtime, "data", PLOT, "display", args.runs)
    )
    cold = cold_samples(image, args.cold, args.runtime, COLD_PLOT, ("MPLCONFIGDIR=/tmp",))
    imports = asyncio.run(script_import_ms(image, args.runtime, "data", args.cold))
    bare_imports = asyncio.run(script_import_ms(image, args.runtime, "none", args.cold))

    rows = [
        ("measure", "Node Engine", "baseline", "ratio"),
        (
            "print('hi') -> first stdout, p50",
            f"{p50_ms(loaded):.1f} ms preloaded",
            f"{p50_ms(bare):.1f} ms --preload=none",
            f"{p50_ms(loaded) / p50_ms(bare):.2f}x",
        ),
        (
            "100-point plot -> display, p50",
            f"{p50_ms(chart):.1f} ms warm",
            f"{p50_ms(cold):.0f} ms cold docker run",
            f"{p50_ms(cold) / p50_ms(chart):.1f}x faster",
        ),
        (
            "warm container memory",
            f"{loaded_mib or float('nan'):.1f} MiB preloaded",
            f"{bare_mib or float('nan'):.1f} MiB --preload=none",
            "",
        ),
        (
            "import numpy, pandas, pyplot in the script, p50",
            f"{statistics.median(imports):.2f} ms preloaded",
            f"{statistics.median(bare_imports):.0f} ms --preload=none",
            f"{statistics.median(bare_imports) / max(statistics.median(imports), 1e-3):.0f}x less",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"\nruntime {args.runtime}, image {image}, {os.cpu_count()} CPUs, load {load_average()}")
    print(
        "Node Engine column: the data stack preloaded (what the shipped SANDBOX_PRELOAD=auto"
        " gives at RUN_MEMORY_MB=128); baseline column where it says --preload=none:"
        " SANDBOX_PRELOAD=none, not the shipped configuration."
    )
    for r in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
