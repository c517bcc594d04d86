"""The shape of a graph's signature in the API: `GET /api/graphs/{id}/signature/` and the
`signature` field of the graph detail, the gallery and shared answers (graphs/signature_views.py,
graphs/serializers.py, graphs/sharing_serializers.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from graphs.catalogue.types import DATA_TYPES
from graphs.compiler import graph_signature
from graphs.models import Graph


@extend_schema_field(
    {"type": "string", "enum": list(DATA_TYPES), "description": "A data pin type."}
)
class DataTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(list(DATA_TYPES), **kwargs)


class SignatureInputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="A Python identifier, unique among the inputs.")
    type = DataTypeField()
    # The JSON field `required` shadows Field.required: this serializer only writes answers.
    required = serializers.BooleanField(  # type: ignore[assignment]
        help_text="True when the input has no default."
    )
    default = serializers.JSONField(
        allow_null=True, help_text="The default (a string, number or boolean), or null."
    )
    description = serializers.CharField(allow_blank=True)


class SignatureOutputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="A Python identifier, unique among the outputs.")
    type = DataTypeField()


class SignatureSerializer(serializers.Serializer):
    """A graph's inputs (its Graph input nodes) and outputs (its Graph output nodes), each in
    canvas order: top to bottom, then left to right, then node id."""

    inputs = SignatureInputSerializer(many=True)
    outputs = SignatureOutputSerializer(many=True)


def signature_of(graph: Graph) -> dict[str, Any]:
    """The signature of a graph's current version."""
    return graph_signature({"nodes": graph.nodes, "edges": graph.edges})


class SnapshotSummarySerializer(serializers.Serializer):
    graph_id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField(help_text="The graph's name when it was copied.")
    signature = SignatureSerializer()


def snapshot_summaries(snapshots: Any) -> list[dict[str, Any]]:
    """What the editor shows of each copy a graph keeps: whose, which version, its signature."""
    summaries = []
    for key, copy in (snapshots if isinstance(snapshots, dict) else {}).items():
        graph_id, _, version = str(key).partition("@")
        if not (graph_id.isdigit() and version.isdigit() and isinstance(copy, dict)):
            continue
        summaries.append(
            {
                "graph_id": int(graph_id),
                "version": int(version),
                "name": str(copy.get("name", "")),
                "signature": graph_signature(copy),
            }
        )
    return sorted(summaries, key=lambda s: (s["graph_id"], s["version"]))
