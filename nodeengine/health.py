"""Probes for orchestrators and monitoring: /healthz, /readyz and /metrics.

- /healthz: the process serves requests (200 whenever it answers at all).
- /readyz: this process can do useful work: the database answers, a message makes a round trip
  through the channel layer (on a layer instance of the probe's own, so open sockets never make
  it wait), and at least one live pool worker has warm capacity. 503 otherwise,
  with a JSON body naming the failed checks.
- /metrics: Prometheus text exposition format 0.0.4, built by prometheus_client from the
  registry in nodeengine/metrics.py (which says what each figure means across processes).
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

from nodeengine import metrics as prometheus

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0


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


_probe_layers: dict[int, tuple[dict[str, Any], Any]] = {}  # loop id: (config, layer)


def _probe_layer() -> Any:
    """A channel layer of the probe's own, configured as the default one (one per event loop).

    Not the process's shared layer: channels-redis lets one receive at a time per layer instance
    pop from Redis (its receive lock), for every channel of the process. An open socket's
    consumer holds that lock while it waits for its own messages, blocked on a pop of its own
    channel prefix, so the probe's message sat unread until the probe gave up. A
    private instance has its own lock and prefix, so the round trip still goes through Redis
    and the layer's code, but waits on nobody."""
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    config = settings.CHANNEL_LAYERS[DEFAULT_CHANNEL_LAYER]
    loop_id = id(asyncio.get_running_loop())
    made = _probe_layers.get(loop_id)
    if made is None or made[0] != config:  # new loop, or settings changed (tests)
        made = _probe_layers[loop_id] = (config, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER))
    return made[1]


async def check_channel_layer() -> dict[str, Any]:
    from channels import DEFAULT_CHANNEL_LAYER

    if DEFAULT_CHANNEL_LAYER not in getattr(settings, "CHANNEL_LAYERS", {}):
        return {"ok": False, "error": "no channel layer configured"}
    layer = _probe_layer()
    nonce = uuid.uuid4().hex
    started = time.monotonic()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            channel = await layer.new_channel("readyz")
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


def _authorised(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return True
    header = request.headers.get("Authorization", "")
    return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return HttpResponse(
            "metrics need Authorization: Bearer <METRICS_TOKEN>\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
    try:
        body = prometheus.render()
    except Exception as exc:  # the queue gauges read the database at scrape time
        logger.warning("metrics: database unreachable: %s", exc)
        return HttpResponse(
            f"# database unavailable: {_describe(exc)}\n",
            status=503,
            content_type=prometheus.CONTENT_TYPE,
        )
    return HttpResponse(body, content_type=prometheus.CONTENT_TYPE)
