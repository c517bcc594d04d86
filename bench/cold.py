"""Cold baselines: the same program in a fresh `docker run --rm` of the sandbox image.

Every run is timed from the moment its `docker run` is started to its first stdout byte and to
its exit, as asyncio subprocesses, so "30 at once" is 30 real concurrent starts. The plot
program does what a warm sandbox's plot does (the same imports, figure and PNG, the font list
the image ships, as the runner seeds MPLCONFIGDIR with it) and prints one line once the PNG
is written: its first output is the cold counterpart of the `display` event.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

HI = "print('hi')"
TEN_LINES = "for i in range(10):\n    print(i)\n"
PLOT = "import matplotlib.pyplot as plt\nplt.plot(range(100))\nplt.show()\n"
COLD_PLOT = (
    "import os, shutil\n"
    "if os.path.isdir('/opt/nodeengine/matplotlib'):\n"
    "    shutil.copytree('/opt/nodeengine/matplotlib', '/tmp/mpl', dirs_exist_ok=True)\n"
    "os.environ['MPLCONFIGDIR'] = '/tmp/mpl'\n"
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    "plt.plot(range(100))\nplt.savefig('/dev/null', format='png')\nprint('shown')\n"
)
# The program a warm sandbox runs -> the one a cold container runs for the same result.
COLD_EQUIVALENT = {HI: HI, TEN_LINES: TEN_LINES, PLOT: COLD_PLOT}


@dataclass
class ColdRun:
    first_ms: float  # nan when it printed nothing
    end_ms: float
    ok: bool  # exit code 0 and some output


def docker_command(image: str, runtime: str, code: str) -> list[str]:
    return [
        *("docker", "run", "--rm", f"--runtime={runtime}", "--network", "none"),
        *(image, "python3", "-c", code),
    ]


async def cold_run(image: str, runtime: str, code: str, delay: float = 0.0) -> ColdRun:
    """One cold container of `code` (its cold equivalent), started after `delay` seconds."""
    await asyncio.sleep(delay)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *docker_command(image, runtime, COLD_EQUIVALENT.get(code, code)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    first = await process.stdout.read(1)
    first_ms = (time.perf_counter() - started) * 1000 if first else float("nan")
    await process.stdout.read()
    code_ = await process.wait()
    return ColdRun(first_ms, (time.perf_counter() - started) * 1000, code_ == 0 and bool(first))


async def cold_burst(image: str, runtime: str, code: str, offsets: list[float]) -> list[ColdRun]:
    """One container per offset, each started that many seconds from now, all concurrent."""
    return list(await asyncio.gather(*(cold_run(image, runtime, code, o) for o in offsets)))


async def cold_rate(
    image: str, runtime: str, codes: list[str], concurrency: int, total: int
) -> tuple[float, list[ColdRun]]:
    """Runs/s of `total` containers, `concurrency` at a time, cycling through `codes`."""
    queue = itertools.islice(itertools.cycle(codes), total)
    runs: list[ColdRun] = []

    async def worker() -> None:
        for code in queue:
            runs.append(await cold_run(image, runtime, code))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), runs


async def cold_sequential(image: str, runtime: str, code: str, count: int) -> list[ColdRun]:
    return [await cold_run(image, runtime, code) for _ in range(count)]
