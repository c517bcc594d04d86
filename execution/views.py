"""Executions API: your own run records, newest first; filters by status, reason and graph.

Runs are created by the WebSocket (/ws/run/), never through this API. Another user's run is
simply not found (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from execution.models import Execution
from execution.serializers import ExecutionDetailSerializer, ExecutionSerializer


class OwnExecutionsMixin:
    request: Request

    def get_queryset(self) -> QuerySet[Execution]:
        return Execution.objects.filter(user=self.request.user)


def _choice(request: Request, name: str, choices: list[str]) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise ValidationError({name: [f"Must be one of: {', '.join(choices)}."]})
    return value


class ExecutionListView(OwnExecutionsMixin, generics.ListAPIView):
    serializer_class = ExecutionSerializer
    filter_backends = [filters.OrderingFilter]
    ordering_fields = [
        "queued_at",
        "started_at",
        "finished_at",
        "duration_ms",
        "time_to_first_output",
    ]
    ordering = ["-queued_at"]

    def get_queryset(self) -> QuerySet[Execution]:
        queryset = super().get_queryset().defer("output_tail")
        status = _choice(self.request, "status", Execution.Status.values)
        if status:
            queryset = queryset.filter(status=status)
        reason = _choice(self.request, "reason", Execution.Reason.values)
        if reason:
            queryset = queryset.filter(reason=reason)
        graph = self.request.query_params.get("graph")
        if graph not in (None, ""):
            if not graph.isdigit() or len(graph) > 18:
                raise ValidationError({"graph": ["Must be a graph id (a positive integer)."]})
            queryset = queryset.filter(graph_id=int(graph))
        return queryset

    @extend_schema(
        summary="List your runs (newest first)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Execution.Status.values),
            OpenApiParameter("reason", OpenApiTypes.STR, enum=Execution.Reason.values),
            OpenApiParameter("graph", OpenApiTypes.INT, description="Only runs of this graph."),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ExecutionDetailView(OwnExecutionsMixin, generics.RetrieveAPIView):
    serializer_class = ExecutionDetailSerializer

    @extend_schema(summary="One of your runs, with the last 64 KiB of its output")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
