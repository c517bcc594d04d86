"""Runs over REST (docs/interfaces.md, "Runs over REST"): submit, wait for the end, stop.

`POST /api/runs/` and `POST /api/graphs/{id}/runs/` start a run exactly as a socket's `run`
frame does (execution/web/rest_run.py) and answer 202 once it is admitted; with `?wait=N`, 200
with the finished run's detail if it ends within N seconds (one request for a short run). `GET
/api/executions/{id}/?wait=N` holds the answer until the run ends (at most N seconds;
run_wait.py waits). Following a run as Server-Sent Events is run_event_views.py's.

Waiting and streaming are async views: Django runs sync views on one shared thread under ASGI,
so a sync view waiting 30 s would stall every other sync request of the process. They first
call the DRF view (authentication, permissions, 404 for another user's run) and only then wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from execution.models import Execution
from execution.serializers import (
    ExecutionDetailSerializer,
    GraphRunSerializer,
    KillSerializer,
    RunRefusedSerializer,
    RunSerializer,
    RunSubmittedSerializer,
)
from execution.views import OwnExecutionsMixin
from execution.web.messages import RunRequest
from execution.web.rest_run import (
    KILL,
    Started,
    host_channel,
    server_loop_running,
    start_rest_run,
)
from execution.web.run_wait import detail_answer, wait_for_end

WAIT_MAX_SECONDS = 30
RETRY_AFTER_SECONDS = 5

# The refusal a socket client gets as an `error` event, as an HTTP status.
_ERROR_STATUS = {
    "refused": status.HTTP_429_TOO_MANY_REQUESTS,
    "compile_error": status.HTTP_400_BAD_REQUEST,
    "too_large": status.HTTP_400_BAD_REQUEST,
    "bad_message": status.HTTP_400_BAD_REQUEST,
    "bad_inputs": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
}


def wait_seconds(request: HttpRequest, default: float = 0.0) -> float:
    raw = request.GET.get("wait", "")
    if raw == "":
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= WAIT_MAX_SECONDS:  # also rejects nan
        raise ValidationError(
            {"wait": [f"Must be a number of seconds from 0 to {WAIT_MAX_SECONDS}."]}
        )
    return seconds


WAIT_PARAMETER = OpenApiParameter(
    "wait",
    {"type": "number", "minimum": 0, "maximum": WAIT_MAX_SECONDS},
    description=f"Hold the answer until the run has finished, at most this many seconds "
    f"(0 to {WAIT_MAX_SECONDS}); the answer then shows it as it is.",
)


class RunSubmitThrottle(UserRateThrottle):
    """Submissions per user and minute: each may cost a compile before admission refuses it."""

    scope = "run_submit"


def _start(request: Request, run: RunRequest, stdin: str) -> Response:
    if not server_loop_running(request._request):
        return Response(
            {"detail": "Runs over REST need the ASGI server (daphne): this process has none."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return _submitted(request, async_to_sync(start_rest_run)(request.user, run, stdin))


def _submitted(request: Request, started: Started) -> Response:
    if started.error is not None:
        code = str(started.error.get("code", ""))
        body: dict[str, Any] = {"detail": started.error.get("message", ""), "code": code}
        if "diagnostics" in started.error:
            body["diagnostics"] = started.error["diagnostics"]
        if "errors" in started.error:  # bad_inputs: {"inputs": [sentence naming each]}
            body["errors"] = started.error["errors"]
        response = Response(body, status=_ERROR_STATUS.get(code, 503))
        if code == "refused":
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    run_id = str(started.run_id)
    url = request.build_absolute_uri(reverse("execution-detail", args=[run_id]))
    events = request.build_absolute_uri(reverse("execution-events", args=[run_id]))
    response = Response(
        {
            "id": run_id,
            "status": "queued",
            "position": started.position,
            "url": url,
            "events_url": events,
        },
        status=status.HTTP_202_ACCEPTED,
    )
    response["Location"] = url
    return response


def refusal(request: Request, started: Started) -> Response:
    """The answer to a run refused before it was admitted (`started.error`), as the submit
    routes give it: a webhook's run (webhooks/hook_views.py) is refused the same way."""
    assert started.error is not None
    return _submitted(request, started)


SUBMIT_RESPONSES = {
    200: OpenApiResponse(
        ExecutionDetailSerializer,
        description="With `?wait=N`: the run finished within N seconds; its detail, as "
        "`GET /api/executions/{id}/` gives it.",
    ),
    202: OpenApiResponse(
        RunSubmittedSerializer,
        description="Queued or running (without `?wait`, or still running after N seconds): "
        "follow `url` (with `?wait`) or `events_url`.",
    ),
    400: OpenApiResponse(
        RunRefusedSerializer,
        description="Bad body, or the graph does not compile (`code` is `compile_error`, with "
        "`diagnostics`), or its `inputs` do not fit the graph's signature (`code` is "
        "`bad_inputs`; `errors.inputs` has one sentence per wrong, unknown or missing input).",
    ),
    503: OpenApiResponse(
        RunRefusedSerializer,
        description="No pool worker could take the run, or this process "
        "cannot host runs (not served by daphne).",
    ),
    429: OpenApiResponse(
        RunRefusedSerializer,
        description="Your runs fill your running and queued slots (or you "
        "submit too fast); try again after `Retry-After` seconds.",
    ),
}


QUEUED_EXAMPLE = OpenApiExample(
    "Queued",
    value={
        "id": "0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21",
        "status": "queued",
        "position": 0,
        "url": "http://127.0.0.1:8000/api/executions/0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21/",
        "events_url": "http://127.0.0.1:8000/api/executions/0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21"
        "/events/",
    },
    response_only=True,
    status_codes=["202"],
)
BAD_INPUTS_EXAMPLE = OpenApiExample(
    "Inputs that do not fit the graph",
    value={
        "detail": "The inputs do not fit the graph: Input 'a' must be a number (number), got text.",
        "code": "bad_inputs",
        "errors": {
            "inputs": [
                "Input 'a' must be a number (number), got text.",
                "Input 'b' is required (int) and was not given.",
                "Input 'c' is not an input of this graph (inputs: 'a', 'b').",
            ]
        },
    },
    response_only=True,
    status_codes=["400"],
)
FULL_EXAMPLE = OpenApiExample(
    "Your runs fill your slots",
    value={
        "detail": "You already have 2 runs running and 8 queued (the limit). Wait for one to "
        "finish.",
        "code": "refused",
    },
    response_only=True,
    status_codes=["429"],
)


class RunSubmitView(generics.GenericAPIView[Execution]):  # reads no queryset: makes Executions
    # What both submit routes share: the throttle, the body check and the start. (A comment,
    # not a docstring: drf-spectacular would show a docstring as each route's description.)

    throttle_classes = [RunSubmitThrottle]

    def run_request(self, data: dict[str, Any]) -> RunRequest:
        raise NotImplementedError

    def post(self, request: Request, **kwargs: Any) -> Response:
        wait_seconds(request)  # a bad value is a 400 before the run starts; run_submit waits
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _start(request, self.run_request(body.validated_data), body.validated_data["stdin"])


@extend_schema_view(
    post=extend_schema(
        summary="Run Python code or a graph document (answers once the run is queued, or with "
        "`?wait` once it has finished)",
        parameters=[WAIT_PARAMETER],
        responses=SUBMIT_RESPONSES,
        examples=[
            OpenApiExample(
                "Code", value={"code": "print(input())", "stdin": "hi\n"}, request_only=True
            ),
            QUEUED_EXAMPLE,
            FULL_EXAMPLE,
        ],
    )
)
class RunCreateView(RunSubmitView):
    serializer_class = RunSerializer

    def run_request(self, data: dict[str, Any]) -> RunRequest:
        return RunRequest(
            ref=None, code=data.get("code"), graph=data.get("graph"), inputs=data.get("inputs")
        )


@extend_schema_view(
    post=extend_schema(
        summary="Run a saved graph: yours, one in the gallery, or one shared with you by link",
        parameters=[WAIT_PARAMETER],
        responses=SUBMIT_RESPONSES,
        examples=[
            OpenApiExample("With input", value={"stdin": "3\n4\n"}, request_only=True),
            OpenApiExample(
                "With inputs (a graph with Graph input nodes `a` and `b`)",
                value={"inputs": {"a": 3, "b": 4}},
                request_only=True,
            ),
            BAD_INPUTS_EXAMPLE,
            OpenApiExample(
                "Shared with you by link",
                value={"share_token": "kT3x-0Qe2b1y8mJ4Zr6aWc9dLp5sVn7h"},
                request_only=True,
            ),
            QUEUED_EXAMPLE,
            FULL_EXAMPLE,
        ],
    )
)
class GraphRunCreateView(RunSubmitView):
    serializer_class = GraphRunSerializer

    def run_request(self, data: dict[str, Any]) -> RunRequest:
        graph_id = self.kwargs["pk"]
        return RunRequest(
            ref=None,
            graph_id=graph_id,
            share_token=data.get("share_token"),
            inputs=data.get("inputs"),
        )


class ExecutionKillView(OwnExecutionsMixin, generics.GenericAPIView[Execution]):
    serializer_class = KillSerializer

    @extend_schema(
        summary="Stop one of your runs submitted over REST",
        request=None,
        responses={
            202: KillSerializer,
            409: OpenApiResponse(RunRefusedSerializer, description="It has already finished."),
            503: OpenApiResponse(RunRefusedSerializer, description="Not served by daphne."),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        execution = self.get_object()
        channel = host_channel(str(execution.pk))
        if execution.status == Execution.Status.FINISHED:
            return Response(
                {"detail": "This run has already finished."}, status=status.HTTP_409_CONFLICT
            )
        if channel is None:
            return Response(
                {"detail": "This run was not submitted over REST: stop it where it was started."},
                status=status.HTTP_409_CONFLICT,
            )
        if not server_loop_running(request._request):
            return Response(
                {"detail": "Stopping runs over REST needs the ASGI server (daphne)."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        layer = get_channel_layer()
        assert layer is not None  # settings.CHANNEL_LAYERS always has a default
        async_to_sync(layer.send)(channel, {"type": KILL})
        return Response({"detail": "Stopping: the run ends with reason killed."}, status=202)


# --- Waiting for a run, following its events ---


@extend_schema(
    summary="One of your runs, with the last 64 KiB of its output (optionally waiting for it)",
    parameters=[WAIT_PARAMETER],
)
class ExecutionDetailView(OwnExecutionsMixin, generics.RetrieveAPIView[Execution]):
    serializer_class = ExecutionDetailSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wait_seconds(request)  # a bad value is a 400 before anything waits
        return super().get(request, *args, **kwargs)


def with_drf_first(view: Callable[..., Any], cls: type) -> Callable[..., Any]:
    """Mark an async view as the DRF view `cls` for drf-spectacular (which reads `cls`)."""
    view.cls = cls  # type: ignore[attr-defined]  # an attribute set on a plain function
    view.initkwargs = {}  # type: ignore[attr-defined]
    return csrf_exempt(view)


_detail = sync_to_async(ExecutionDetailView.as_view())
_run_create = sync_to_async(RunCreateView.as_view())
_graph_run_create = sync_to_async(GraphRunCreateView.as_view())


def _unfinished_run(request: HttpRequest, response: Any) -> bool:
    """A GET that found the run, and it has not finished (OPTIONS answers a description)."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and response.data.get("status") != "finished"
    )


async def execution_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    response = await _detail(request, pk=pk)
    if not _unfinished_run(request, response):
        return response
    seconds = wait_seconds(request)
    if seconds <= 0:
        return response
    await wait_for_end(str(pk), seconds)
    return await detail_answer(str(pk), response)


async def _submitted_then_wait(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A submit's answer: with `?wait=N` (checked by the view before the run started), the
    finished run's detail once it ends within N seconds, else the 202 as it was."""
    if request.method != "POST" or response.status_code != status.HTTP_202_ACCEPTED:
        return response  # refused, a bad body, or OPTIONS' description
    seconds = wait_seconds(request)
    if seconds <= 0:
        return response
    run_id = str(response.data["id"])  # type: ignore[attr-defined]  # a DRF Response
    await wait_for_end(run_id, seconds)
    return await detail_answer(run_id, response, only_finished=True)


async def run_create(request: HttpRequest) -> HttpResponse:
    return await _submitted_then_wait(request, await _run_create(request))


async def graph_run_create(request: HttpRequest, pk: int) -> HttpResponse:
    return await _submitted_then_wait(request, await _graph_run_create(request, pk=pk))


execution_detail_view = with_drf_first(execution_detail, ExecutionDetailView)
run_create_view = with_drf_first(run_create, RunCreateView)
graph_run_create_view = with_drf_first(graph_run_create, GraphRunCreateView)
