"""The token's routes: `POST /api/hooks/<token>/` runs the hook's graph, and
`GET /api/hooks/<token>/runs/<run id>/` reads that run's result (docs/interfaces.md, "Webhooks").

The token in the path is the whole credential: no session, no API token, no CSRF. A token that is
unknown, malformed or revoked answers 404 before anything else (not counted, nothing run).

A call starts the run exactly as `POST /api/graphs/{id}/runs/` does (execution/web/rest_run.py:
the same compile, admission, queue, pool and record), as the graph's owner, but in the hook's own
run slots (webhooks/limits.py). It then waits up to `?wait=` seconds (default 10, at most 30) for
the run to end: 200 with the result, else 202 with the poll URL.

As in execution/web/run_views.py, the views are async around a DRF view: the DRF view does the
checks and the start on Django's one sync thread, and the waiting happens on the event loop (a sync
view waiting seconds would stall every other sync request of the process).
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from execution.models import Execution
from execution.serializers import RunRefusedSerializer
from execution.web.messages import RunRequest
from execution.web.rest_run import server_loop_running, start_rest_run
from execution.web.run_inputs import inputs_shape_errors
from execution.web.run_record import db
from execution.web.run_views import WAIT_MAX_SECONDS, refusal, wait_seconds, with_drf_first
from execution.web.run_wait import wait_for_end
from webhooks.limits import WebhookJSONParser, WebhookRateThrottle, hook_budget
from webhooks.models import Webhook, WebhookRun
from webhooks.serializers import HookResultSerializer, HookRunningSerializer
from webhooks.tokens import find_hook

WAIT_DEFAULT_SECONDS = 10.0


def finished_result(run_id: str) -> dict[str, Any] | None:
    """The 200 body of a run that has ended; None while it runs (or its record is not written)."""
    row = Execution.objects.filter(pk=run_id, status=Execution.Status.FINISHED).first()
    if row is None:
        return None
    return {
        "outputs": row.outputs or {},  # its Graph output nodes' values ({} for none)
        "exit_code": row.exit_code,
        "reason": row.reason or None,
        "output_tail": row.output_tail,
    }


class Running(Response):
    """202: the run has not ended. `run_id` and `wait` tell the async view what to wait for."""

    def __init__(self, request: Request, token: str, run_id: str, wait: float) -> None:
        poll_url = reverse("hook-run-result", args=[token, run_id])
        super().__init__({"status": "running", "poll_url": poll_url}, status=202)
        self["Location"] = request.build_absolute_uri(poll_url)
        self.run_id = run_id
        self.wait = wait


class HookView(generics.GenericAPIView[Webhook]):
    # The token is the credential (a comment, not a docstring: drf-spectacular would show it).
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [WebhookRateThrottle]
    parser_classes = [WebhookJSONParser]
    hook: Webhook

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        hook = find_hook(str(kwargs.get("token", "")))
        if hook is None:  # before the throttle: an unknown token has nothing to count against
            raise NotFound("No webhook has this token (it is unknown, or was revoked).")
        self.hook = hook
        super().initial(request, *args, **kwargs)

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        raise Throttled(
            wait=wait,
            detail=f"This webhook is called too often (limit {settings.WEBHOOK_RATE}).",
        )


TOKEN = OpenApiParameter(
    "token", str, OpenApiParameter.PATH, description="The secret part of the hook's URL."
)
RUN_ID = OpenApiParameter(
    "run_id", uuid.UUID, OpenApiParameter.PATH, description="The run's id (from `poll_url`)."
)


def _wait_parameter(default: float) -> OpenApiParameter:
    return OpenApiParameter(
        "wait",
        {"type": "number", "minimum": 0, "maximum": WAIT_MAX_SECONDS, "default": default},
        description=f"Hold the answer until the run has ended, at most this many seconds "
        f"(0 to {WAIT_MAX_SECONDS}); 200 with the result if it did, else 202.",
    )


RESULT_EXAMPLE = OpenApiExample(
    "Ended",
    value={"outputs": {"sum": 5}, "exit_code": 0, "reason": "ok", "output_tail": ""},
    response_only=True,
    status_codes=["200"],
)
RUNNING_EXAMPLE = OpenApiExample(
    "Still running",
    value={
        "status": "running",
        "poll_url": "/api/hooks/kT3x-0Qe2b1y8mJ4Zr6aWc9dLp5sVn7hQ2wE4rT6yU8/runs/"
        "0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21/",
    },
    response_only=True,
    status_codes=["202"],
)


class HookRunView(HookView):
    @extend_schema(
        summary="Call a webhook: run its graph as its owner, with the body as inputs",
        description="No other authentication: the token is the credential. The body is a JSON "
        "object `{input name: value}` (empty: no inputs), at most WEBHOOK_BODY_BYTES. Each hook "
        "is limited to WEBHOOK_RATE calls (429 with Retry-After) and to its own WEBHOOK_RUNS "
        "running + WEBHOOK_RUNS_QUEUED queued runs (429 `refused`), apart from its owner's.",
        parameters=[TOKEN, _wait_parameter(WAIT_DEFAULT_SECONDS)],
        request={"application/json": {"type": "object", "additionalProperties": True}},
        responses={
            200: HookResultSerializer,
            202: HookRunningSerializer,
            400: OpenApiResponse(
                RunRefusedSerializer,
                description="The body is not a JSON object, a bad `?wait=`, inputs that do not "
                "fit the graph's signature (`code` is `bad_inputs`; `errors.inputs` names each "
                "wrong, unknown or missing input), or the graph does not compile (`code` is "
                "`compile_error`, with `diagnostics`).",
            ),
            404: OpenApiResponse(
                RunRefusedSerializer, description="No such hook (unknown or revoked token)."
            ),
            429: OpenApiResponse(
                RunRefusedSerializer,
                description="Past WEBHOOK_RATE, or the hook's runs fill its slots (`code` is "
                "`refused`); try again after `Retry-After` seconds.",
            ),
            503: OpenApiResponse(
                RunRefusedSerializer, description="No pool worker could take the run."
            ),
        },
        examples=[
            OpenApiExample("Inputs", value={"a": 2, "b": 3}, request_only=True),
            RESULT_EXAMPLE,
            RUNNING_EXAMPLE,
        ],
    )
    def post(self, request: Request, token: str) -> Response:
        seconds = wait_seconds(request, default=WAIT_DEFAULT_SECONDS)
        inputs = request.data  # the body is the run's inputs: {} (or no body) is none
        if not isinstance(inputs, dict):
            raise ValidationError(
                {"inputs": ["The body must be a JSON object: {input name: value}."]}
            )
        shape_errors = inputs_shape_errors(inputs, code_run=False)
        if shape_errors:
            raise ValidationError({"inputs": shape_errors})
        if not server_loop_running(request._request):
            return Response(
                {"detail": "Webhooks need the ASGI server (daphne): this process has none."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        hook = self.hook
        run = RunRequest(ref=None, graph_id=hook.graph_id, inputs=inputs or None)
        started = async_to_sync(start_rest_run)(hook.graph.owner, run, "", hook_budget(hook))
        if started.error is not None:
            return refusal(request, started)
        run_id = str(started.run_id)
        try:
            WebhookRun.objects.create(hook=hook, run_id=run_id)
        except IntegrityError:
            # Revoked while its run was being admitted: the run goes on as the owner's (listed
            # with their executions), but this URL no longer answers for it.
            raise NotFound("No webhook has this token (it is unknown, or was revoked).") from None
        return Running(request, token, run_id, seconds)


class HookRunResultView(HookView):
    @extend_schema(
        summary="A webhook run's result (with the same token)",
        parameters=[TOKEN, RUN_ID, _wait_parameter(0)],
        responses={
            200: HookResultSerializer,
            202: HookRunningSerializer,
            404: OpenApiResponse(
                RunRefusedSerializer,
                description="No such hook, or the run is not one this hook started.",
            ),
        },
        examples=[RESULT_EXAMPLE, RUNNING_EXAMPLE],
    )
    def get(self, request: Request, token: str, run_id: uuid.UUID) -> Response:
        seconds = wait_seconds(request)
        if not WebhookRun.objects.filter(hook=self.hook, run_id=run_id).exists():
            raise NotFound("This webhook started no run with this id.")
        result = finished_result(str(run_id))
        if result is not None:
            return Response(result)
        return Running(request, token, str(run_id), seconds)


async def _waited(response: Any) -> Any:
    """A 202 Running answer, held until its run ends (at most its `wait`): then the 200 body."""
    if not isinstance(response, Running) or response.wait <= 0:
        return response
    run_id = response.run_id
    # In memory when this process hosts the run (a call's always is), else through its events.
    await wait_for_end(run_id, response.wait)
    result = await db(finished_result, run_id)
    if result is not None:
        # The DRF answer is rendered after the view returns: its body and status may change.
        response.data = result
        response.status_code = status.HTTP_200_OK
        del response["Location"]
    return response


_run = sync_to_async(HookRunView.as_view())
_result = sync_to_async(HookRunResultView.as_view())


async def hook_run(request: HttpRequest, token: str) -> HttpResponse:
    return await _waited(await _run(request, token=token))  # type: ignore[no-any-return]


async def hook_run_result(request: HttpRequest, token: str, run_id: uuid.UUID) -> HttpResponse:
    return await _waited(await _result(request, token=token, run_id=run_id))  # type: ignore[no-any-return]


hook_run_view = with_drf_first(hook_run, HookRunView)
hook_run_result_view = with_drf_first(hook_run_result, HookRunResultView)
