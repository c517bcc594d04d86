"""The pool dashboard in the Django admin (/admin/pool/): the fleet at a glance, and its controls.

Staff only (every view goes through `admin.site.admin_view`: anonymous users and non-staff are
sent to the admin login). The page refreshes its status block by itself every 2 s from
`fragment/`; `status.json` serves the same figures to scripts; `charts.json` serves the last
hour minute by minute (runs, p50 / p95 time to first output) to the page's two charts, drawn
with uPlot (vendored in execution/static/admin/pool/uplot/). Actions are CSRF-protected POSTs
that send a control message to the worker (see execution/fleet.py); their effect shows in the
worker's next heartbeat, within a couple of seconds.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from execution import fleet, run_stats
from execution.models import Execution
from nodeengine.logging import log_event

logger = logging.getLogger(__name__)

app_name = "pool_admin"
RUNNING_SHOWN = 50
REFRESH_MILLISECONDS = 2000
CHART_MINUTES = 60
CHART_REFRESH_MILLISECONDS = 15000
clock = time.time  # the charts' "now" (tests set it)


def pool_status() -> dict[str, Any]:
    """Everything the dashboard shows; store or database trouble becomes an `errors` entry."""
    now = time.time()
    status: dict[str, Any] = {"generated_at": now, "errors": []}
    try:
        status["workers"] = [worker.to_dict(now) for worker in fleet.list_workers()]
    except Exception as exc:
        status["workers"] = []
        status["errors"].append(f"Heartbeat store unreachable: {exc}")
    try:
        status["queue_length"] = run_stats.queue_length()
        status["running_count"] = run_stats.running_count()
        status["windows"] = [figures.to_dict() for figures in run_stats.all_windows()]
        running = Execution.objects.filter(status=Execution.Status.RUNNING).select_related("user")
        status["running"] = [
            {
                "id": str(row.id),
                "user": row.user.get_username(),
                "worker": row.worker,
                "started_at": row.started_at.isoformat() if row.started_at else None,
            }
            for row in running.order_by("-started_at")[:RUNNING_SHOWN]
        ]
    except Exception as exc:
        status.update(queue_length=None, running_count=None, windows=[], running=[])
        status["errors"].append(f"Database unreachable: {exc}")
    alive = [w for w in status["workers"] if w["alive"]]
    # Live workers whose sandboxes fell back to runc because the engine has no runsc (gVisor).
    status["runtime_warnings"] = [
        {"name": w["name"], "warning": w["runtime_warning"]}
        for w in alive
        if w.get("runtime_warning")
    ]
    status["totals"] = {
        "workers_alive": len(alive),
        "workers_known": len(status["workers"]),
        "size": sum(w["size"] for w in alive),
        "warm": sum(w["warm"] for w in alive),
        "held": sum(w["held"] for w in alive),
        "warm_by_kind": _sum_by_kind(w.get("warm_by_kind") or {} for w in alive),
        "busy": sum(w["busy"] for w in alive),
        "starting": sum(w["starting"] for w in alive),
    }
    return status


def _sum_by_kind(counts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for by_kind in counts:
        for kind, count in by_kind.items():
            total[kind] = total.get(kind, 0) + count
    return dict(sorted(total.items()))


def minute_series(now: float | None = None, minutes: int = CHART_MINUTES) -> dict[str, Any]:
    """The last `minutes` minutes, one entry per minute (the current one last, still filling):
    finished runs, and the p50 / p95 of their time to first output (None: no run had output).

    One query over the finished runs of the window (as run_stats' 1 h window: at most an hour of
    rows); minutes and nearest-rank percentiles are computed here, the same on SQLite
    (embedded mode) and Postgres.
    """
    now = time.time() if now is None else now
    current = int(now // 60) * 60
    first = current - (minutes - 1) * 60
    starts = list(range(first, current + 60, 60))
    rows = Execution.objects.filter(
        status=Execution.Status.FINISHED,
        finished_at__gte=datetime.fromtimestamp(first, UTC),
        finished_at__lt=datetime.fromtimestamp(current + 60, UTC),
    ).values_list("finished_at", "time_to_first_output")
    runs = [0] * len(starts)
    firsts: list[list[int]] = [[] for _ in starts]
    for finished_at, ttfo in rows.iterator():
        if finished_at is None:  # excluded by the filter; the column is nullable
            continue
        index = (int(finished_at.timestamp()) - first) // 60
        if 0 <= index < len(starts):
            runs[index] += 1
            if ttfo is not None:
                firsts[index].append(ttfo)
    return {
        "generated_at": now,
        "minutes": starts,
        "runs": runs,
        "ttfo_p50_ms": [run_stats.percentile(values, 0.50) for values in firsts],
        "ttfo_p95_ms": [run_stats.percentile(values, 0.95) for values in firsts],
    }


def _context(request: HttpRequest) -> dict[str, Any]:
    return {
        **admin.site.each_context(request),
        "title": "Pool dashboard",
        "status": pool_status(),
        "max_pool_size": fleet.max_pool_size(),
        "dead_after": fleet.DEAD_AFTER_SECONDS,
        "refresh_ms": REFRESH_MILLISECONDS,
        "chart_refresh_ms": CHART_REFRESH_MILLISECONDS,
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "admin/pool/dashboard.html", _context(request))


@require_GET
def fragment(request: HttpRequest) -> HttpResponse:
    return render(request, "admin/pool/_status.html", _context(request))


@require_GET
def status_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(pool_status())


@require_GET
def charts_json(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(minute_series(clock()))
    except Exception as exc:  # database down: the charts say so, the page keeps working
        logger.warning("pool charts: %s", exc)
        return JsonResponse({"error": f"Database unreachable: {exc}"}, status=503)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("pool_admin:dashboard"))


def _live_worker(name: str) -> fleet.WorkerStatus:
    worker = fleet.get_worker(name) if name else None
    if worker is None:
        raise fleet.ControlError(f"There is no worker named {name!r}.")
    if not worker.is_alive():
        raise fleet.ControlError(
            f"Worker {name!r} has not sent a heartbeat for {worker.age_seconds():.0f} s; "
            "it is dead and cannot act."
        )
    return worker


def _kill_target(raw_run_id: str) -> Execution:
    try:
        run_id = uuid.UUID(raw_run_id.strip())
    except ValueError:
        raise fleet.ControlError(f"{raw_run_id[:64]!r} is not a run id.") from None
    execution = Execution.objects.filter(pk=run_id).first()
    if execution is None:
        raise fleet.ControlError(f"There is no execution {run_id}.")
    if execution.status == Execution.Status.FINISHED:
        raise fleet.ControlError(f"Execution {run_id} has already finished.")
    return execution


def _workers_for(execution: Execution) -> list[fleet.WorkerStatus]:
    """The worker running it, or every live worker when the record has not caught up yet.

    Records are written off the run's hot path, so a run that has started may still read
    `queued` with no worker for a moment; a worker ignores a kill for a run it does not hold.
    """
    if execution.worker:
        return [_live_worker(execution.worker)]
    live = [worker for worker in fleet.list_workers() if worker.is_alive()]
    if not live:
        raise fleet.ControlError("No live worker could be running this execution.")
    return live


@require_POST
def action(request: HttpRequest) -> HttpResponseRedirect:
    """One control action from the dashboard's forms: resize, drain, undrain, recycle or kill."""
    name = request.POST.get("action", "")
    try:
        if name == "kill":
            execution = _kill_target(request.POST.get("run_id", ""))
            workers = _workers_for(execution)
            for worker in workers:
                fleet.send_control(worker.name, "kill_run", run_id=str(execution.pk))
            names = ", ".join(worker.name for worker in workers)
            done = f"Asked {names} to kill execution {execution.pk}."
        elif name in ("resize", "drain", "undrain", "recycle"):
            worker = _live_worker(request.POST.get("worker", ""))
            args = {"size": request.POST.get("size")} if name == "resize" else {}
            message = fleet.send_control(worker.name, name, **args)
            detail = f" to {message['size']} containers" if name == "resize" else ""
            done = f"Asked worker {worker.name} to {name}{detail}."
        else:
            raise fleet.ControlError(f"Unknown action {name[:40]!r}.")
    except fleet.ControlError as exc:
        messages.error(request, str(exc))
        return _back(request)
    except Exception as exc:  # channel layer down: say so instead of a 500
        logger.exception("pool action %s failed", name)
        messages.error(request, f"Could not reach the worker: {exc}")
        return _back(request)
    log_event(
        logger,
        "admin.pool_action",
        user_id=request.user.pk,
        action=name,
        worker=request.POST.get("worker", ""),
        run_id=request.POST.get("run_id", ""),
    )
    messages.success(request, done + " The change shows in its next heartbeat.")
    return _back(request)


urlpatterns = [
    path("", admin.site.admin_view(dashboard), name="dashboard"),
    path("fragment/", admin.site.admin_view(fragment), name="fragment"),
    path("status.json", admin.site.admin_view(status_json), name="status"),
    path("charts.json", admin.site.admin_view(charts_json), name="charts"),
    path("action/", admin.site.admin_view(action), name="action"),
]

# A link to the dashboard on the admin index page.
admin.site.index_template = "admin/nodeengine_index.html"
