"""The node catalogue and the compiler over HTTP: thin views over the catalogue and compiler."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from graphs.catalogue import catalogue_json
from graphs.compiler import compile_graph
from graphs.dependencies import server_resolvers
from graphs.models import Graph
from graphs.signature_serializers import SignatureSerializer


class DiagnosticSerializer(serializers.Serializer):
    """graphs/compiler/result.py's Diagnostic (documentation only)."""

    severity = serializers.ChoiceField(["error", "warning", "info"])
    code = serializers.CharField()
    message = serializers.CharField()
    node_id = serializers.CharField(allow_null=True)
    port = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(
        allow_null=True, help_text="1-based line in Python source the diagnostic is about."
    )
    col = serializers.IntegerField(allow_null=True, help_text="1-based column, with line.")

    class Meta:
        ref_name = "Diagnostic"


COMPILE_RESULT = inline_serializer(
    "CompileResult",
    {
        "code": serializers.CharField(help_text="The generated, self-contained Python script."),
        "diagnostics": DiagnosticSerializer(many=True),
        "source_map": serializers.DictField(
            child=serializers.CharField(), help_text='Generated line ("1"-based) -> node id.'
        ),
        "signature": SignatureSerializer(
            help_text="The graph's inputs and outputs (its Graph input and output nodes)."
        ),
    },
)


@extend_schema_serializer(component_name="Compile")  # "CompileRequest" in the schema
class CompileRequestSerializer(serializers.Serializer):
    """A graph document to compile. Only its shape is checked (lists of objects): a half-built
    graph compiles to diagnostics."""

    # Documentation only: CompileView checks the body itself.

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "nodes": serializers.ListField(
                child=serializers.DictField(),
                required=False,
                max_length=settings.GRAPH_MAX_NODES,
                help_text="Node objects, as saved (see Graph); missing means none.",
            ),
            "edges": serializers.ListField(
                child=serializers.DictField(),
                required=False,
                max_length=settings.GRAPH_MAX_EDGES,
                help_text="Edge objects, as saved (see Graph); missing means none.",
            ),
        }


CATALOGUE = inline_serializer(
    "NodeCatalogue",
    {
        "version": serializers.IntegerField(),
        "categories": serializers.ListField(child=serializers.DictField()),
        "nodes": serializers.ListField(
            child=serializers.DictField(), help_text="Node types; see docs/catalogue.md."
        ),
        "type_compatibility": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="For each data type, the input types an output of that type may be wired to.",
        ),
    },
)


def _bad_request(detail: str, errors: dict[str, list[str]]) -> Response:
    return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class NodeCatalogueView(APIView):
    @extend_schema(summary="The node catalogue", responses=CATALOGUE)
    def get(self, request: Request) -> Response:
        return Response(catalogue_json())


class CompileView(APIView):
    @extend_schema(
        summary="Compile a graph document to Python",
        request=CompileRequestSerializer,
        responses=COMPILE_RESULT,
    )
    def post(self, request: Request) -> Response:
        body: Any = request.data
        if not isinstance(body, dict):
            return _bad_request(
                "The body must be a JSON object {nodes, edges}.",
                {"non_field_errors": ["Expected a JSON object."]},
            )
        nodes, edges = body.get("nodes", []), body.get("edges", [])
        errors: dict[str, list[str]] = {}
        if not isinstance(nodes, list):
            errors["nodes"] = ["Must be a list of nodes."]
        elif len(nodes) > settings.GRAPH_MAX_NODES:
            errors["nodes"] = [f"At most {settings.GRAPH_MAX_NODES} nodes."]
        elif not all(isinstance(node, dict) for node in nodes):
            errors["nodes"] = ["Each node must be an object."]
        if not isinstance(edges, list):
            errors["edges"] = ["Must be a list of edges."]
        elif len(edges) > settings.GRAPH_MAX_EDGES:
            errors["edges"] = [f"At most {settings.GRAPH_MAX_EDGES} edges."]
        elif not all(isinstance(edge, dict) for edge in edges):
            errors["edges"] = ["Each edge must be an object."]
        if errors:
            return _bad_request(
                "The graph cannot be compiled: "
                + next(f"{field}: {messages[0]}" for field, messages in errors.items()),
                errors,
            )
        document = {"nodes": nodes, "edges": edges}
        # The user's own graphs and library entries, and the copies they hold of others'
        # (graphs/dependencies.py).
        graphs, library = server_resolvers(request.user.pk, document)  # type: ignore[arg-type]
        return Response(compile_graph(document, graphs=graphs, library=library).to_dict())


class GraphCompileView(APIView):
    @extend_schema(
        summary="Compile a saved graph to Python",
        responses=COMPILE_RESULT,
    )
    def get(self, request: Request, pk: int) -> Response:
        graph = get_object_or_404(
            Graph.objects.only("name", "nodes", "edges", "snapshots"), pk=pk, owner=request.user
        )
        document = {
            "name": graph.name,
            "nodes": graph.nodes,
            "edges": graph.edges,
            "snapshots": graph.snapshots,
        }
        graphs, library = server_resolvers(request.user.pk, document)  # type: ignore[arg-type]
        result = compile_graph(document, graphs=graphs, graph_id=graph.pk, library=library)
        return Response(result.to_dict())
