"""`GET /api/graphs/{id}/signature/`: a graph's signature, for its owner only, like the rest of
/api/graphs/{id}/ (docs/sharing.md). The compiler derives it (graphs/compiler/signature.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from graphs.compiler import graph_signature
from graphs.signature_serializers import SignatureSerializer, signature_of
from graphs.views import OwnGraphsMixin


class GraphSignatureView(OwnGraphsMixin, generics.GenericAPIView):
    serializer_class = SignatureSerializer

    @extend_schema(
        summary="The inputs and outputs of a graph of yours (of one of its versions)",
        parameters=[
            OpenApiParameter(
                "version",
                int,
                required=False,
                description="A version of the graph (the current one, or one kept in its "
                "history); the current version when absent.",
            )
        ],
        responses=SignatureSerializer,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_object()
        raw = request.query_params.get("version")
        if raw is None or raw == str(graph.version):
            return Response(signature_of(graph))
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:  # "²".isdigit() too
            raise serializers.ValidationError({"version": ["Must be a positive integer."]})
        revision = graph.revisions.filter(version=int(raw)).first()
        if revision is None:
            raise Http404
        return Response(graph_signature({"nodes": revision.nodes, "edges": revision.edges}))
