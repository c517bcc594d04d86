"""Following a run as Server-Sent Events: `GET /api/executions/{id}/events/` (docs/interfaces.md,
"Runs over REST"). An async view, like the waits of run_views.py: it first calls the DRF view
(authentication, permissions, 404 for another user's run), then streams the run's event log
(run_events.py) until its `exit`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from execution.models import Execution
from execution.protocol import exit_event
from execution.serializers import ExecutionDetailSerializer
from execution.views import OwnExecutionsMixin
from execution.web.run_events import RECORD_EXIT_ID, follow, resumed_after_exit, run_events
from execution.web.run_record import db
from execution.web.run_views import with_drf_first
from execution.web.run_wait import finished_row

KEEP_ALIVE_SECONDS = 15.0

LAST_EVENT_ID = OpenApiParameter(
    "Last-Event-ID",
    str,
    OpenApiParameter.HEADER,
    description="Resume after this event (the `id:` of the last event read); an EventSource "
    "sends it by itself when it reconnects.",
)
EVENT_STREAM_SCHEMA = {
    "type": "string",
    "description": "text/event-stream (https://html.spec.whatwg.org/#server-sent-events).",
    "example": 'id: 1718000000000-0\nevent: queued\ndata: {"type": "queued", '
    '"run_id": "0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21", "position": 0}\n\n'
    'id: 1718000000100-0\nevent: stdout\ndata: {"type": "stdout", '
    '"run_id": "0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21", "data": "hi\\n"}\n\n',
}


class JSONWhateverAccepted(BaseContentNegotiation):
    """The events view's answers that are not the stream (errors) are JSON, also to a client
    that accepts only `text/event-stream` (an EventSource), instead of a 406."""

    def select_parser(self, request: Request, parsers: Iterable[Any]) -> Any:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[Any], format_suffix: Any = None
    ) -> Any:
        renderer = next(iter(renderers))  # DRF hands in the view's renderers, never none
        return renderer, renderer.media_type


class ExecutionEventsView(OwnExecutionsMixin, generics.RetrieveAPIView[Execution]):
    serializer_class = ExecutionDetailSerializer
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONWhateverAccepted

    @extend_schema(
        summary="Follow one of your runs as Server-Sent Events",
        description="Events as on the WebSocket (`queued`, `started`, `stdout`, `stderr`, "
        "`display`, `result` (a graph's outputs, after all output), `exit`, ...), one SSE "
        "event each: `event:` its type, `data:` its JSON, "
        "`id:` its place (send it back as `Last-Event-ID` to resume). The stream ends after "
        "`exit`. Runs submitted over REST only; for others the stream holds their `exit` alone. "
        "Resuming after the `exit` answers 204.",
        parameters=[LAST_EVENT_ID],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                EVENT_STREAM_SCHEMA,
                description="A stream of Server-Sent Events (text, not JSON), up to the run's "
                "`exit`. Each event is `id: <place>` (all but keep-alives), `event: <type>` and "
                "`data: <the event as JSON>` lines and a blank line; `: keep-alive` comment "
                "lines come every 15 s while nothing happens. The JSON of each type is the "
                "WebSocket event of that name (docs/interfaces.md): e.g. `exit` is "
                "`{type, run_id, exit_code, reason, duration_ms, node_id, message}`.",
            ),
            204: OpenApiResponse(
                description="`Last-Event-ID` is the run's `exit`: nothing more will come "
                "(an EventSource stops reconnecting)."
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _sse(event: str, data: Any, entry_id: str | None = None) -> str:
    head = f"id: {entry_id}\n" if entry_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _exit_from_record(row: dict[str, Any]) -> dict[str, Any]:
    return dict(
        exit_event(
            str(row["id"]),
            exit_code=row["exit_code"],
            reason=row["reason"],
            message=row["message"],
            duration_ms=row["duration_ms"] or 0,
            node_id=row["node_id"] or None,
        )
    )


async def _event_stream(run_id: str, after: str | None, row: dict[str, Any]) -> AsyncIterator[str]:
    if row["status"] == "finished" and not await run_events().read(run_id, None, block=0):
        yield _sse("exit", _exit_from_record(row), RECORD_EXIT_ID)  # a finished run, no log
        return
    async for entry in follow(run_id, after, idle=KEEP_ALIVE_SECONDS):
        if entry is None:
            # Nothing logged for a while: a run whose events were never logged (a socket run)
            # or have expired gets its exit from the record once it has one.
            finished: dict[str, Any] | None = row
            if row["status"] != "finished":
                finished = await db(finished_row, run_id)
            if finished is not None:
                yield _sse("exit", _exit_from_record(finished), RECORD_EXIT_ID)
                return
            yield ": keep-alive\n\n"
            continue
        entry_id, event = entry
        yield _sse(str(event.get("type")), event, entry_id)


_events_check = sync_to_async(ExecutionEventsView.as_view())


async def execution_events(request: HttpRequest, pk: Any) -> HttpResponseBase:
    response = await _events_check(request, pk=pk)
    if request.method != "GET" or response.status_code != 200:
        return response  # an error, or OPTIONS' description
    last_event_id = request.headers.get("Last-Event-ID")
    if last_event_id is not None and await resumed_after_exit(str(pk), last_event_id):
        # Resumed after the exit: nothing more will come. 204 tells an EventSource (which
        # reconnects by itself whenever a stream closes) to stop reconnecting.
        return HttpResponse(status=204)
    stream = _event_stream(str(pk), last_event_id, response.data)
    streaming = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    streaming["Cache-Control"] = "no-cache"
    streaming["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the events back
    return streaming


execution_events_view = with_drf_first(execution_events, ExecutionEventsView)
