"""Probes for orchestrators and monitoring: /healthz, /readyz and /metrics.

- /healthz: the process serves requests (200 whenever it answers at all).
- /readyz: this process can do useful work: the database answers, a message makes a round trip
  through the channel layer, and at least one live pool worker has warm capacity. 503 otherwise,
  with a JSON body naming the failed checks.
- /metrics: Prometheus text exposition format 0.0.4, written by hand (no client library needed).
  Open by default; set METRICS_TOKEN to require `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


# --- /readyz ---


def _ping_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def check_database() -> dict[str, Any]:
    try:
        await asyncio.wait_for(sync_to_async(_ping_database)(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"}
    except Exception as exc:
        return {"ok": False, "error": _describe(exc)}
    return {"ok": True}


async def check_channel_layer() -> dict[str, Any]:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return {"ok": False, "error": "no channel layer configured"}
    nonce = uuid.uuid4().hex
    started = time.monotonic()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            channel = await layer.new_channel("readyz.")
            await layer.send(channel, {"type": "readyz.ping", "nonce": nonce})
            reply = await layer.receive(channel)
    except TimeoutError:
        return {"ok": False, "error": f"no round trip within {CHECK_TIMEOUT_SECONDS:g} s"}
    except Exception as exc:
        return {"ok": False, "error": _describe(exc)}
    if reply.get("nonce") != nonce:
        return {"ok": False, "error": "the round trip returned another message"}
    return {"ok": True, "round_trip_ms": round((time.monotonic() - started) * 1000, 1)}


def _workers_summary() -> dict[str, Any]:
    from execution import fleet

    workers = fleet.list_workers()
    alive = [w for w in workers if w.is_alive()]
    serving = [w for w in alive if w.warm > 0 and not w.draining]
    summary: dict[str, Any] = {
        "ok": bool(serving),
        "known": len(workers),
        "alive": len(alive),
        "warm": sum(w.warm for w in serving),
    }
    if not serving:
        summary["error"] = (
            f"no live worker with warm capacity ({len(workers)} known, {len(alive)} alive)"
        )
    return summary


async def check_workers() -> dict[str, Any]:
    try:
        return await asyncio.wait_for(
            sync_to_async(_workers_summary, thread_sensitive=False)(), CHECK_TIMEOUT_SECONDS
        )
    except TimeoutError:
        error = f"heartbeat store gave no answer within {CHECK_TIMEOUT_SECONDS:g} s"
        return {"ok": False, "error": error}
    except Exception as exc:
        return {"ok": False, "error": f"heartbeat store unreachable: {_describe(exc)}"}


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


@never_cache
@require_GET
async def readyz(request: HttpRequest) -> JsonResponse:
    database, channel_layer, workers = await asyncio.gather(
        check_database(), check_channel_layer(), check_workers()
    )
    checks = {"database": database, "channel_layer": channel_layer, "workers": workers}
    failed = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "fail" if failed else "ok", "failed": failed, "checks": checks}
    if failed:
        logger.warning("not ready: %s", ", ".join(failed))
    return JsonResponse(body, status=503 if failed else 200)


# --- /metrics ---


def _escape(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Exposition:
    """Builds Prometheus text: HELP and TYPE once per metric family, then its samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float, **labels: Any) -> None:
        rendered = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
        number = repr(float(value)) if isinstance(value, float) else str(int(value))
        self.lines.append(f"{name}{{{rendered}}} {number}" if labels else f"{name} {number}")

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"


def _authorised(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return True
    header = request.headers.get("Authorization", "")
    return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def _run_metrics(out: Exposition) -> None:
    from execution import run_stats

    out.family("nodeengine_runs_total", "counter", "Finished runs by exit reason.")
    for reason, count in run_stats.runs_by_reason().items():
        out.sample("nodeengine_runs_total", count, reason=reason)
    out.family("nodeengine_queue_length", "gauge", "Runs admitted and waiting for a sandbox.")
    out.sample("nodeengine_queue_length", run_stats.queue_length())
    out.family("nodeengine_runs_running", "gauge", "Runs executing now.")
    out.sample("nodeengine_runs_running", run_stats.running_count())

    histogram = run_stats.ttfo_histogram()
    name = "nodeengine_time_to_first_output_seconds"
    out.family(name, "histogram", "Time from a run request to its first output.")
    for bound_ms, count in histogram.buckets:
        out.sample(f"{name}_bucket", count, le=f"{bound_ms / 1000:g}")
    out.sample(f"{name}_bucket", histogram.count, le="+Inf")
    out.sample(f"{name}_sum", histogram.total_ms / 1000)
    out.sample(f"{name}_count", histogram.count)


WORKER_GAUGES = (
    ("up", "1 when the worker heartbeated within the last 10 s.", None),
    ("pool_size", "Target number of warm containers.", "size"),
    ("pool_warm_containers", "Warm containers waiting for a run.", "warm"),
    ("pool_starting_containers", "Containers being started.", "starting"),
    ("pool_busy_containers", "Containers running a script.", "busy"),
    ("draining", "1 when the worker takes no new runs.", "draining"),
)
WORKER_COUNTERS = (
    ("runs_served_total", "Runs this worker has served since it started.", "served"),
    ("pool_failures_total", "Container failures since the worker started.", "failures"),
)


def _worker_metrics(out: Exposition) -> None:
    from execution import fleet

    try:
        workers = fleet.list_workers()
        store_up = 1
    except Exception as exc:
        logger.warning("metrics: heartbeat store unreachable: %s", exc)
        workers, store_up = [], 0
    out.family("nodeengine_fleet_store_up", "gauge", "1 when the heartbeat store answered.")
    out.sample("nodeengine_fleet_store_up", store_up)
    now = time.time()
    for suffix, help_text, attribute in WORKER_GAUGES:
        out.family(f"nodeengine_worker_{suffix}", "gauge", help_text)
        for worker in workers:
            value = worker.is_alive(now) if attribute is None else getattr(worker, attribute)
            out.sample(f"nodeengine_worker_{suffix}", int(value), worker=worker.name)
    for suffix, help_text, attribute in WORKER_COUNTERS:
        out.family(f"nodeengine_worker_{suffix}", "counter", help_text)
        for worker in workers:
            value = getattr(worker, attribute)
            out.sample(f"nodeengine_worker_{suffix}", value, worker=worker.name)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return HttpResponse(
            "metrics need Authorization: Bearer <METRICS_TOKEN>\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
    out = Exposition()
    try:
        _run_metrics(out)
    except Exception as exc:
        logger.warning("metrics: database unreachable: %s", exc)
        return HttpResponse(
            f"# database unavailable: {_describe(exc)}\n",
            status=503,
            content_type=PROMETHEUS_CONTENT_TYPE,
        )
    _worker_metrics(out)
    return HttpResponse(out.render(), content_type=PROMETHEUS_CONTENT_TYPE)
