"""Executions API: your own run records, newest first; filters by status, reason and graph.

Runs are created by the WebSocket (/ws/run/) or over REST (execution/web/run_views.py, which
also holds the detail and events views). Another user's run is simply not found (404).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import filters, generics

from execution import exit_reasons
from execution.models import Execution
from execution.serializers import ExecutionSerializer


class OwnExecutionsMixin(generics.GenericAPIView[Execution]):
    def get_queryset(self) -> QuerySet[Execution]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: nobody signed in
            return Execution.objects.none()
        # IsAuthenticated (the default permission) has made the user a User.
        return Execution.objects.filter(user=self.request.user)  # type: ignore[misc]


def _choice(choices: list[tuple[str, str]], what: str) -> django_filters.ChoiceFilter:
    """An exact-match filter on one of `choices`; any other value is a 400 naming them."""
    values = [value for value, _ in choices]
    sentence = f"Must be one of: {', '.join(values)}."
    choice = django_filters.ChoiceFilter(
        choices=choices, error_messages={"invalid_choice": sentence}
    )
    # The schema lists the empty value too: `?status=` is no filter (as for every filter here).
    schema = {"type": "string", "enum": [*values, ""], "description": f"Only runs {what}."}
    return extend_schema_field(schema)(choice)


GRAPH_ID_MAX = 10**18 - 1


@extend_schema_field(
    {
        "type": "integer",
        "minimum": 0,
        "maximum": GRAPH_ID_MAX,
        "description": "Only runs of this graph.",
    }
)
class GraphIdFilter(django_filters.Filter):  # type: ignore[misc]  # django-filter is untyped
    field_class = forms.IntegerField


GRAPH_ID = "Must be a graph id (a positive integer)."


class ExecutionFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """`?status=&reason=&graph=`: empty values are ignored, bad ones are a 400 saying why."""

    status = _choice(Execution.Status.choices, "in this status")
    reason = _choice(exit_reasons.CHOICES, "that ended for this reason")
    graph = GraphIdFilter(
        field_name="graph_id",
        min_value=0,
        max_value=GRAPH_ID_MAX,
        error_messages={key: GRAPH_ID for key in ("invalid", "min_value", "max_value")},
    )

    class Meta:
        model = Execution
        fields = ["status", "reason", "graph"]


@extend_schema_view(get=extend_schema(summary="List your runs (newest first)"))
class ExecutionListView(OwnExecutionsMixin, generics.ListAPIView[Execution]):
    serializer_class = ExecutionSerializer
    filter_backends = [django_filters.DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ExecutionFilter
    ordering_fields = [
        "queued_at",
        "started_at",
        "finished_at",
        "duration_ms",
        "time_to_first_output",
    ]
    ordering = ["-queued_at"]

    def get_queryset(self) -> QuerySet[Execution]:
        return super().get_queryset().defer("output_tail")
