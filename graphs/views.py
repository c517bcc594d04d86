"""Saved graphs API: thin views over Graph / GraphRevision (see models.py for the rules).

Every query starts from the requesting user's own graphs, so another user's graph is simply
not found (404), indistinguishable from one that never existed.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import filters, generics, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from graphs.catalogue.nodes_graphs import GRAPH_INPUT_TYPE, GRAPH_OUTPUT_TYPE
from graphs.exchange import export_document
from graphs.models import Graph, GraphRevision, StaleVersion
from graphs.serializers import (
    DuplicateSerializer,
    GraphExportSerializer,
    GraphRevisionSerializer,
    GraphRevisionSummarySerializer,
    GraphSerializer,
    GraphSummarySerializer,
    GraphUpdateSerializer,
    RestoreSerializer,
    VersionConflictSerializer,
)
from nodeengine.api.pagination import Pages

# 400/401/403/404/413/415 come with every operation that can answer them (nodeengine/api/schema.py).
CONFLICT_RESPONSE = OpenApiResponse(
    VersionConflictSerializer,
    description="The graph was saved since `version`; nothing was written. Reload and retry.",
)


def version_conflict(exc: StaleVersion) -> Response:
    return Response(
        {
            "detail": "This graph was saved elsewhere since the version you edited "
            f"(current version is {exc.current_version}); reload it and apply your change again.",
            "current_version": exc.current_version,
        },
        status=status.HTTP_409_CONFLICT,
    )


class OwnGraphsMixin(generics.GenericAPIView):
    pagination_class: type[BasePagination] | None = Pages

    def get_queryset(self) -> QuerySet[Graph]:
        # IsAuthenticated (the default permission) has made the user a User.
        return Graph.objects.filter(owner=self.request.user)  # type: ignore[misc]


# A graph "has a signature" when it has a Graph input or a Graph output node: one jsonb
# containment test each (`@>`), so the list stays one query without reading the documents.
_HAS_SIGNATURE = Q(nodes__contains=[{"type": GRAPH_INPUT_TYPE}]) | Q(
    nodes__contains=[{"type": GRAPH_OUTPUT_TYPE}]
)


def _by_signature(queryset: QuerySet[Graph], raw: str) -> QuerySet[Graph]:
    if raw == "true":
        return queryset.filter(_HAS_SIGNATURE)
    if raw == "false":
        return queryset.exclude(_HAS_SIGNATURE)
    raise serializers.ValidationError({"has_signature": ["Must be true or false."]})


@extend_schema_view(
    get=extend_schema(
        summary="List your graphs (newest first by default)",
        parameters=[
            OpenApiParameter(
                "has_signature",
                bool,
                required=False,
                description="`true`: only graphs with a Graph input or Graph output node (those "
                "that can be used as a `graph` node: the editor's My graphs); `false`: only "
                "the others.",
            )
        ],
    ),
    post=extend_schema(
        summary="Create a graph", request=GraphSerializer, responses=GraphSerializer
    ),
)
class GraphListCreateView(OwnGraphsMixin, generics.ListCreateAPIView):
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["-updated_at", "-id"]

    def get_serializer_class(self) -> type:
        return GraphSummarySerializer if self.request.method == "GET" else GraphSerializer

    def get_queryset(self) -> QuerySet[Graph]:
        queryset = super().get_queryset()
        if self.request.method == "GET":
            queryset = queryset.defer("nodes", "edges", "viewport", "snapshots")
            raw = self.request.query_params.get("has_signature")
            if raw is not None:
                queryset = _by_signature(queryset, raw)
        return queryset

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        serializer.save(owner=self.request.user)


@extend_schema_view(
    get=extend_schema(summary="Fetch a graph", responses=GraphSerializer),
    put=extend_schema(
        summary="Replace a graph (send the `version` it is based on)",
        request=GraphUpdateSerializer,
        responses={200: GraphSerializer, 409: CONFLICT_RESPONSE},
    ),
    patch=extend_schema(
        summary="Change some fields of a graph (send the `version` it is based on)",
        request=GraphUpdateSerializer,
        responses={200: GraphSerializer, 409: CONFLICT_RESPONSE},
    ),
    delete=extend_schema(summary="Delete a graph and its history", responses={204: None}),
)
class GraphDetailView(OwnGraphsMixin, generics.RetrieveUpdateDestroyAPIView):
    def get_serializer_class(self) -> type:
        return GraphUpdateSerializer if self.request.method in ("PUT", "PATCH") else GraphSerializer

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().update(request, *args, **kwargs)
        except StaleVersion as exc:
            return version_conflict(exc)
        except Graph.DoesNotExist:  # deleted between the lookup and the locked save
            raise Http404 from None


class GraphDuplicateView(OwnGraphsMixin, generics.GenericAPIView):
    serializer_class = DuplicateSerializer

    @extend_schema(
        summary="Copy a graph into a new one (version 1, no history)",
        request=DuplicateSerializer,
        responses={201: GraphSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = graph.duplicate(name=serializer.validated_data.get("name"))
        return Response(
            GraphSerializer(copy, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


def _download_name(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "graph"
    return f"{slug}.nodeengine.json"


class GraphExportView(OwnGraphsMixin, generics.GenericAPIView):
    serializer_class = GraphExportSerializer

    @extend_schema(
        summary="Export a graph as a self-contained JSON document",
        responses=GraphExportSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_object()
        response = Response(export_document(graph))
        response["Content-Disposition"] = f'attachment; filename="{_download_name(graph.name)}"'
        return response


class GraphImportView(generics.GenericAPIView):
    serializer_class = GraphExportSerializer

    @extend_schema(
        summary="Create a graph from an export document",
        request=GraphExportSerializer,
        responses={201: GraphSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        graph = serializer.save()
        return Response(
            GraphSerializer(graph, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class RevisionsMixin(generics.GenericAPIView):
    """Revisions of one of the user's graphs; the graph itself is looked up first (404)."""

    pagination_class: type[BasePagination] | None = Pages
    kwargs: dict[str, Any]

    def get_graph(self) -> Graph:
        return get_object_or_404(Graph, pk=self.kwargs["pk"], owner=self.request.user)

    def get_queryset(self) -> QuerySet[GraphRevision]:
        return self.get_graph().revisions.order_by("-version", "-id")


@extend_schema_view(get=extend_schema(summary="List a graph's earlier versions, newest first"))
class GraphRevisionListView(RevisionsMixin, generics.ListAPIView):
    serializer_class = GraphRevisionSummarySerializer


REVISION_PARAMETER = OpenApiParameter(
    "version", int, OpenApiParameter.PATH, description="The revision's version number."
)


@extend_schema_view(
    get=extend_schema(
        summary="Fetch one earlier version of a graph",
        parameters=[REVISION_PARAMETER],
        responses=GraphRevisionSerializer,
    )
)
class GraphRevisionDetailView(RevisionsMixin, generics.RetrieveAPIView):
    serializer_class = GraphRevisionSerializer
    lookup_field = "version"
    lookup_url_kwarg = "version"


class GraphRevisionRestoreView(RevisionsMixin, generics.GenericAPIView):
    serializer_class = RestoreSerializer

    @extend_schema(
        summary="Make an earlier version current again (a new save; the current one is kept)",
        parameters=[REVISION_PARAMETER],
        request=RestoreSerializer,
        responses={200: GraphSerializer, 409: CONFLICT_RESPONSE},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_graph()
        revision = get_object_or_404(graph.revisions, version=self.kwargs["version"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            graph.restore(revision, based_on=serializer.validated_data["version"])
        except StaleVersion as exc:
            return version_conflict(exc)
        except Graph.DoesNotExist:  # deleted between the lookup and the locked save
            raise Http404 from None
        return Response(GraphSerializer(graph, context={"request": request}).data)
