"""The Prometheus metrics behind /metrics (served by nodeengine/health.py), via prometheus_client.

Everything lives in `REGISTRY`, a registry of our own (not prometheus_client's global one, so no
process/platform collectors or other libraries' metrics leak in). Two kinds of figures:

* Run outcomes, updated by the run path: `nodeengine_runs_total{reason}` and the histogram
  `nodeengine_time_to_first_output_seconds`. `observe_finished_run()` is called once per run where
  the run ends (execution/web/client_run.py, `ClientRun._finish`), so a scrape costs nothing and
  no longer aggregates the whole Execution table.

  They are per process: each web process counts the runs *it* finished since it started, from 0
  after a restart (which `rate()` / `increase()` treat as a counter reset). Scrape every web
  process (each daphne instance, not one picked by a load balancer) and let Prometheus add them
  up, e.g. `sum by (reason) (rate(nodeengine_runs_total[5m]))`.

* State read at scrape time by custom collectors: the queue and running gauges (two indexed
  COUNTs over the active rows, bounded by the stale cutoff) and the fleet's worker figures from
  the heartbeat store. These are platform-wide, so every web process reports the same values:
  aggregate them across instances with `max`, not `sum`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from execution.exit_reasons import ExitReason

logger = logging.getLogger(__name__)

# Text exposition format 0.0.4, as /metrics always answered.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

# No `<name>_created` series next to each counter and histogram: nothing reads them, and the text
# format would show them as extra gauge families. (A process-wide switch of prometheus_client;
# this registry is the only one the project exposes.)
disable_created_metrics()

REGISTRY = CollectorRegistry()

# Upper bounds (seconds) of the time-to-first-output histogram buckets.
TTFO_BUCKETS_SECONDS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

RUNS = Counter(
    "nodeengine_runs",  # exposed as nodeengine_runs_total
    "Finished runs by exit reason (counted by the web process that recorded them).",
    ["reason"],
    registry=REGISTRY,
)
TIME_TO_FIRST_OUTPUT = Histogram(
    "nodeengine_time_to_first_output_seconds",
    "Time from a run request to its first output.",
    buckets=TTFO_BUCKETS_SECONDS,
    registry=REGISTRY,
)
# Every exit reason is exposed from the start with 0, so a rate over a reason that has not
# happened yet is 0, not "no data".
for _reason in ExitReason:
    RUNS.labels(reason=_reason.value)


def observe_finished_run(reason: str, time_to_first_output_ms: int | None) -> None:
    """Count one finished run (and its time to first output, when it printed anything)."""
    RUNS.labels(reason=reason or "unknown").inc()
    if time_to_first_output_ms is not None:
        TIME_TO_FIRST_OUTPUT.observe(time_to_first_output_ms / 1000)


class RunStateCollector(Collector):
    """Queue length and running runs, read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        from execution import run_stats

        yield GaugeMetricFamily(
            "nodeengine_queue_length",
            "Runs admitted and waiting for a sandbox.",
            value=run_stats.queue_length(),
        )
        yield GaugeMetricFamily(
            "nodeengine_runs_running", "Runs executing now.", value=run_stats.running_count()
        )


WORKER_GAUGES = (
    ("up", "1 when the worker heartbeated within the last 10 s.", None),
    ("pool_size", "Target number of warm containers.", "size"),
    ("pool_warm_containers", "Warm containers ready for a run (held ones included).", "warm"),
    ("pool_held_containers", "Warm containers taken by the worker for its next run.", "held"),
    ("pool_starting_containers", "Containers being started.", "starting"),
    ("pool_busy_containers", "Containers running a script.", "busy"),
    ("draining", "1 when the worker takes no new runs.", "draining"),
)
KIND_GAUGES = (
    (
        "pool_warm_containers_by_kind",
        "Warm containers ready for a run, by sandbox kind (light, data).",
        "warm_by_kind",
    ),
    (
        "pool_target_containers_by_kind",
        "Warm containers the pool aims for, by sandbox kind, from recent demand.",
        "target_by_kind",
    ),
)
WORKER_COUNTERS = (
    ("runs_served_total", "Runs this worker has served since it started.", "served"),
    ("pool_failures_total", "Container failures since the worker started.", "failures"),
)


class FleetCollector(Collector):
    """Every known pool worker's heartbeat figures, read from the heartbeat store at scrape time.

    The worker counters are the workers' own (reported in their heartbeats), labelled by worker.
    """

    def collect(self) -> Iterator[Metric]:
        from execution import fleet

        try:
            workers = fleet.list_workers()
            store_up = 1
        except Exception as exc:
            logger.warning("metrics: heartbeat store unreachable: %s", exc)
            workers, store_up = [], 0
        yield GaugeMetricFamily(
            "nodeengine_fleet_store_up", "1 when the heartbeat store answered.", value=store_up
        )
        now = time.time()
        for suffix, help_text, attribute in WORKER_GAUGES:
            gauge = GaugeMetricFamily(f"nodeengine_worker_{suffix}", help_text, labels=["worker"])
            for worker in workers:
                value = worker.is_alive(now) if attribute is None else getattr(worker, attribute)
                gauge.add_metric([worker.name], int(value))
            yield gauge
        for suffix, help_text, attribute in WORKER_COUNTERS:
            counter = CounterMetricFamily(
                f"nodeengine_worker_{suffix}", help_text, labels=["worker"]
            )
            for worker in workers:
                counter.add_metric([worker.name], getattr(worker, attribute))
            yield counter
        # An info-style gauge: 1 per worker, its sandbox runtime in a label (runsc = gVisor);
        # fallback="1" when it runs runc only because the engine has no runsc. Alert on
        # `nodeengine_worker_sandbox_runtime{fallback="1"}` or `{runtime!="runsc"}`.
        runtime = GaugeMetricFamily(
            "nodeengine_worker_sandbox_runtime",
            "The OCI runtime of the worker's sandboxes (label runtime: runsc = gVisor, runc).",
            labels=["worker", "runtime", "fallback"],
        )
        for worker in workers:
            if worker.runtime:
                fallback = "1" if worker.runtime_warning else "0"
                runtime.add_metric([worker.name, worker.runtime, fallback], 1)
        yield runtime
        # Warm sandboxes per kind (light: the interpreter alone; data: numpy, pandas and
        # matplotlib preloaded), and what the pool aims for from recent demand.
        for suffix, help_text, attribute in KIND_GAUGES:
            gauge = GaugeMetricFamily(
                f"nodeengine_worker_{suffix}", help_text, labels=["worker", "kind"]
            )
            for worker in workers:
                for kind, count in sorted(getattr(worker, attribute).items()):
                    gauge.add_metric([worker.name, kind], count)
            yield gauge


REGISTRY.register(RunStateCollector())
REGISTRY.register(FleetCollector())


def render() -> bytes:
    """The exposition text. Raises when the database (read by RunStateCollector) fails."""
    return generate_latest(REGISTRY)
