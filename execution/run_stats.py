"""Platform-wide run figures computed from Execution rows: queue length, rates, percentiles.

Read by the admin pool dashboard; /metrics reads only the queue and running counts (indexed,
bounded by the stale cutoff, `Execution.stale_after()`); its finished runs are counted where
each run ends (execution/web/client_run.py into nodeengine/metrics.py), never over the table.
Every figure is one or two queries; the percentiles are computed in Python over one window's
rows (at most an hour of runs), which works the same on SQLite (embedded mode) and Postgres.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from execution.models import Execution

WINDOWS: dict[str, timedelta] = {"5m": timedelta(minutes=5), "1h": timedelta(hours=1)}


def queue_length() -> int:
    """Runs admitted and not yet started (rows orphaned by a crashed web process excluded)."""
    return Execution.objects.filter(
        status=Execution.Status.QUEUED, queued_at__gte=timezone.now() - Execution.stale_after()
    ).count()


def running_count() -> int:
    return Execution.objects.filter(
        status=Execution.Status.RUNNING, queued_at__gte=timezone.now() - Execution.stale_after()
    ).count()


def percentile(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile (p50 of [1, 2, 3, 4] is 2); None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class WindowFigures:
    window: str
    runs: int
    runs_per_minute: float
    ttfo_p50_ms: int | None
    ttfo_p95_ms: int | None
    duration_p50_ms: int | None
    duration_p95_ms: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def window_figures(name: str) -> WindowFigures:
    span = WINDOWS[name]
    rows = Execution.objects.filter(
        status=Execution.Status.FINISHED, finished_at__gte=timezone.now() - span
    ).values_list("time_to_first_output", "duration_ms")
    ttfo = [first for first, _ in rows if first is not None]
    durations = [duration for _, duration in rows if duration is not None]
    runs = len(rows)
    return WindowFigures(
        window=name,
        runs=runs,
        runs_per_minute=round(runs / (span.total_seconds() / 60), 2),
        ttfo_p50_ms=percentile(ttfo, 0.50),
        ttfo_p95_ms=percentile(ttfo, 0.95),
        duration_p50_ms=percentile(durations, 0.50),
        duration_p95_ms=percentile(durations, 0.95),
    )


def all_windows() -> list[WindowFigures]:
    return [window_figures(name) for name in WINDOWS]
