"""The configuration a bench runs in: what Node Engine ships, unless a flag says otherwise.

Shipped = nodeengine/settings.py's defaults as `make run` and docker-compose.yml give them:
SANDBOX_RUNTIME unset (auto: runsc when the Docker engine knows it, else runc), SANDBOX_PRELOAD
auto, POOL_SIZE 4, RUN_MEMORY_MB 128, RUN_WALL_SECONDS 30 and the other limits below. The
benches' servers get these explicitly, so neither the test harness's settings
(harness/engine.py TEST_SETTINGS) nor a shell's exports (the guide's SANDBOX_RUNTIME=runc)
leak into a figure. Every bench prints `header()` first: the configuration it ran in.

Flags (`add_arguments`): --runtimes, --preload, --pool-size, --memory-mb, --image.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from dataclasses import dataclass, replace
from typing import Any

# The shipped values of every setting a figure depends on (docker-compose.yml's `x-app`).
SHIPPED = {
    "SANDBOX_RUNTIME": "auto",
    "SANDBOX_PRELOAD": "auto",
    "POOL_SIZE": "4",
    "RUN_MEMORY_MB": "128",
    "RUN_WALL_SECONDS": "30",
    "RUN_PAUSE_SECONDS": "600",
    "RUN_CPU_SECONDS": "10",
    "RUN_PIDS": "64",
    "RUNS_PER_USER": "2",
    "RUNS_QUEUED_PER_USER": "8",
    "SANDBOX_IDLE_SECONDS": "3600",
}
DEFAULT_IMAGE = "nodeengine-sandbox:latest"  # settings.SANDBOX_IMAGE's default


@dataclass(frozen=True)
class BenchConfig:
    runtime: str  # resolved: runsc or runc
    preload: str  # SANDBOX_PRELOAD: auto, data or none
    pool_size: int
    memory_mb: int
    image: str
    runtime_asked: str = "auto"

    def server_env(self) -> dict[str, str]:
        """The environment of the bench's daphne and runpool (Servers.create overrides)."""
        return {
            **SHIPPED,
            "SANDBOX_RUNTIME": self.runtime,
            "SANDBOX_PRELOAD": self.preload,
            "POOL_SIZE": str(self.pool_size),
            "RUN_MEMORY_MB": str(self.memory_mb),
            "SANDBOX_IMAGE": self.image,
        }

    def limits(self) -> Any:
        """RunLimits for a bench that drives a SandboxPool directly (no servers)."""
        from execution.sandbox import RunLimits

        return RunLimits(
            runtime=self.runtime,
            preload=self.preload,
            memory_mb=self.memory_mb,
            wall_seconds=float(SHIPPED["RUN_WALL_SECONDS"]),
        )

    def with_pool_size(self, size: int) -> BenchConfig:
        return replace(self, pool_size=size)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    shipped = "shipped: %(default)s"
    parser.add_argument(
        "--runtimes",
        default="auto",
        help="Sandbox runtimes, comma-separated, measured one after another "
        "(auto = runsc when Docker knows it, as shipped).",
    )
    parser.add_argument("--preload", default=SHIPPED["SANDBOX_PRELOAD"], help=shipped)
    parser.add_argument("--pool-size", type=int, default=int(SHIPPED["POOL_SIZE"]), help=shipped)
    parser.add_argument(
        "--memory-mb", type=int, default=int(SHIPPED["RUN_MEMORY_MB"]), help=shipped
    )
    parser.add_argument(
        "--image", default=None, help="Sandbox image (default: SANDBOX_IMAGE, else the settings')."
    )


def configs(args: argparse.Namespace) -> list[BenchConfig]:
    """One configuration per runtime of --runtimes, "auto" resolved as the pool resolves it."""
    image = args.image or os.environ.get("SANDBOX_IMAGE") or DEFAULT_IMAGE
    return [
        BenchConfig(
            runtime=resolve_runtime(asked),
            preload=args.preload,
            pool_size=args.pool_size,
            memory_mb=args.memory_mb,
            image=image,
            runtime_asked=asked,
        )
        for asked in (r.strip() for r in args.runtimes.split(",") if r.strip())
    ]


def resolve_runtime(asked: str) -> str:
    from execution.sandbox import container

    client = container.docker_client()
    try:
        return container.resolve_runtime(client.api, asked)[0]
    finally:
        client.close()


def image_id(image: str) -> str:
    found = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", image],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip()[:19] if found.returncode == 0 else "(missing)"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def header(config: BenchConfig, title: str) -> str:
    """What a figure means depends on all of this; print it above every table."""
    runtime = config.runtime + (" (auto)" if config.runtime_asked == "auto" else "")
    differs = [
        f"{name}={value}"
        for name, value in config.server_env().items()
        if name in SHIPPED and name != "SANDBOX_RUNTIME" and value != SHIPPED[name]
    ]
    if config.runtime != resolve_runtime("auto"):
        differs.insert(0, f"SANDBOX_RUNTIME={config.runtime}")
    return "\n".join(
        [
            f"== {title}",
            f"runtime {runtime}, SANDBOX_PRELOAD={config.preload}, POOL_SIZE={config.pool_size}, "
            f"RUN_MEMORY_MB={config.memory_mb}",
            f"image {config.image} ({image_id(config.image)}), {os.cpu_count()} CPUs, "
            f"load average {load_average()}",
            "configuration: "
            + ("shipped defaults" if not differs else "NOT shipped: ")
            + ", ".join(differs),
        ]
    )


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def pct(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
