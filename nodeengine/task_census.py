"""`GET /debug/tasks`: the asyncio tasks alive on the serving process's event loop (tests only).

Routed only with TASK_CENSUS set (never in production: it describes the process's internals).
Tests of the web side count what a run leaves behind with it: every task the web side starts
for a run (its ClientRun, a REST run's host and listener, record writers, kill retries) must end
on every path, and nothing may still hold the channel layer's receive lock.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_PROJECT = str(settings.BASE_DIR) + os.sep


def _frames(task: asyncio.Task[Any]) -> list[str]:
    """The task's await chain, outermost first: `qualname (file)` per coroutine."""
    chain: list[str] = []
    coroutine: Any = task.get_coro()
    while coroutine is not None and len(chain) < 50:
        code = getattr(coroutine, "cr_code", None) or getattr(coroutine, "gi_code", None)
        if code is None:
            break
        where = code.co_filename.removeprefix(_PROJECT)
        chain.append(f"{getattr(coroutine, '__qualname__', code.co_name)} ({where})")
        coroutine = getattr(coroutine, "cr_await", None) or getattr(coroutine, "gi_yieldfrom", None)
    return chain


@never_cache
@require_GET
async def tasks(request: HttpRequest) -> JsonResponse:
    from channels.layers import get_channel_layer

    this = asyncio.current_task()
    alive = [task for task in asyncio.all_tasks() if task is not this and not task.done()]
    described = [{"name": task.get_name(), "frames": _frames(task)} for task in alive]
    layer = get_channel_layer()
    return JsonResponse(
        {
            "count": len(described),
            "outermost": dict(Counter(d["frames"][0] if d["frames"] else "?" for d in described)),
            "tasks": described,
            # Receives in progress on the process's shared layer (channels-redis): one per open
            # socket (its consumer waits for its messages) and per running REST run.
            "layer_receives": getattr(layer, "receive_count", None),
        }
    )
