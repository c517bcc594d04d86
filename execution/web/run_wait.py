"""Waiting for a REST run's end, and answering with its record (`?wait=N` on the run routes).

The end is the moment the run's record is final and its `exit` logged. A run hosted by this
process (a `POST ...?wait` always is: its own request started it) is waited for in memory
(rest_run.wait_for_local_run); any other through the event log (run_events.wait_for_exit),
which a web process anywhere can read.

Once the wait is over, the answer is the record rendered as the detail view renders it, read
without going through the DRF view a second time: the request already passed its
authentication and access check (the first call), and a second pass through the view costs a
token lookup and a hop to the sync thread per middleware for nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

from execution.models import Execution
from execution.serializers import ExecutionDetailSerializer
from execution.web.rest_run import wait_for_local_run
from execution.web.run_events import wait_for_exit
from execution.web.run_record import db

# The headers of the first (DRF) answer that the final answer keeps: what DRF's content
# negotiation and the view's methods made them (the middleware adds its own to both).
KEPT_HEADERS = ("Vary", "Allow", "Location")


def finished_row(run_id: str) -> dict[str, Any] | None:
    row = Execution.objects.filter(pk=run_id, status="finished").values().first()
    return None if row is None else dict(row)


async def wait_for_end(run_id: str, seconds: float) -> None:
    """Return once run `run_id` has ended, or `seconds` have passed."""
    if await wait_for_local_run(run_id, seconds) is not None:
        return

    async def finished() -> bool:
        return await db(finished_row, run_id) is not None

    await wait_for_exit(run_id, seconds, finished)


def _detail(run_id: str) -> dict[str, Any] | None:
    execution = Execution.objects.filter(pk=run_id).first()
    return None if execution is None else dict(ExecutionDetailSerializer(execution).data)


async def detail_answer(
    run_id: str, first: HttpResponse, only_finished: bool = False
) -> HttpResponse:
    """The run's detail as `GET /api/executions/{id}/` gives it now (200), with the headers of
    `first`, the DRF answer this request already got. `first` itself if the run is gone, or
    with `only_finished` if it has not finished."""
    data = await db(_detail, run_id)
    if data is None or (only_finished and data["status"] != Execution.Status.FINISHED):
        return first
    answer = HttpResponse(JSONRenderer().render(data), content_type="application/json")
    for header in KEPT_HEADERS:
        if header in first:
            answer[header] = first[header]
    return answer
