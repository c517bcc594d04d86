"""The data stack inside the sandbox (docs/rich_output.md, section 1): the environment every run
gets before anything imports numpy or matplotlib, and the modules the runner imports before the
ready marker (`--preload=`), so that a script's first plot does not pay for them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

# What the runner imports before the ready marker, by its `--preload=` (the pool's sandbox kinds,
# execution/sandbox_kind.py): `plot` the charting stack, `data` pandas too, `none` nothing.
PRELOAD_MODULES = {
    "plot": ("numpy", "matplotlib", "matplotlib.pyplot"),
    "data": ("numpy", "pandas", "matplotlib", "matplotlib.pyplot"),
}
# matplotlib's config and font cache: on the scratch tmpfs (the rest of the container is
# read-only), seeded from the font list built into the image (Dockerfile) so no run builds it.
MPL_CONFIG_DIR = "/tmp/.matplotlib"
MPL_FONT_CACHE_DIR = "/opt/nodeengine/matplotlib"
# The preloaded stack takes about 67 MiB of a warm container (cgroup usage; 9 MiB without it):
# under a memory limit below this the runner skips the preload unless told `--preload=data`,
# so that a small limit gives a container that starts (and a script that may still import the
# stack itself) rather than one that dies of its memory limit before it is ready.
PRELOAD_MIN_MEMORY_BYTES = 96 * 1024 * 1024
CGROUP_MEMORY_LIMITS = (
    "/sys/fs/cgroup/memory.max",  # cgroup v2
    "/sys/fs/cgroup/memory/memory.limit_in_bytes",  # v1
)


def prepare_environment() -> None:
    """Before anything imports the data stack (cheap; in every run, preloaded or not)."""
    # One BLAS thread: the container has one CPU and a pids limit.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("MPLBACKEND", "Agg")  # a script importing pyplot itself gets Agg too
    if os.path.isdir(MPL_FONT_CACHE_DIR) and os.access("/tmp", os.W_OK):
        try:
            os.makedirs(MPL_CONFIG_DIR, exist_ok=True)
            for name in os.listdir(MPL_FONT_CACHE_DIR):
                if name.endswith(".json"):
                    with open(os.path.join(MPL_FONT_CACHE_DIR, name), "rb") as source:
                        data = source.read()
                    with open(os.path.join(MPL_CONFIG_DIR, name), "wb") as target:
                        target.write(data)
            os.environ.setdefault("MPLCONFIGDIR", MPL_CONFIG_DIR)
        except OSError:
            pass


def memory_limit() -> int | None:
    """The container's memory limit in bytes, None when unknown: the cgroup's (runc), or the
    memory the kernel reports in all (gVisor shows no cgroup files; its MemTotal is the limit)."""
    limits = []
    for path in CGROUP_MEMORY_LIMITS:
        try:
            with open(path) as file:
                text = file.read().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
        break
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemTotal:"):
                    limits.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    return min(limits) if limits else None


def preload_set(option: str) -> str:
    """`--preload=`: `none`, `plot` or `data` as said; anything else (`auto`, the default) is
    `data` when the memory limit leaves room, else `none`."""
    if option in ("none", "plot", "data"):
        return option
    limit = memory_limit()
    return "data" if limit is None or limit >= PRELOAD_MIN_MEMORY_BYTES else "none"


def preload(option: str, encode_figure: Callable[[Any], bytes]) -> list[str]:
    """Import the modules of preload set `option` (those that are installed: the image has them
    all, a host running the tests may not), then draw a first figure and encode it with
    `encode_figure` (show()'s own, display.figure_png). The names imported."""
    loaded = []
    for name in PRELOAD_MODULES.get(preload_set(option), ()):
        try:
            if name == "matplotlib.pyplot":
                sys.modules["matplotlib"].use("Agg")  # before pyplot
            __import__(name)
            if name == "matplotlib.pyplot":
                sys.modules[name].switch_backend("Agg")  # what the first figure would do
        except Exception:
            break  # pandas without numpy, pyplot without matplotlib: nothing more to do
        loaded.append(name)
    if "matplotlib.pyplot" in loaded:
        draw_first_figure(encode_figure)
    return loaded


def draw_first_figure(encode_figure: Callable[[Any], bytes]) -> None:
    """Draw and encode one small line chart, as show() does, and throw it away: a process's first
    figure loads the fonts, builds the tick and text layout machinery and the PNG encoder (about
    100 ms), so the script's first plt.show() does not pay for it. Through the object API, never
    pyplot: the script's figure numbers and pyplot's state stay untouched."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure()
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.plot(range(10), label="warm-up")
        axes.set_title("warm-up")
        axes.set_xlabel("x")
        axes.legend()
        encode_figure(figure)
    except Exception:  # only a warm-up: the script's first figure pays for it instead
        pass
