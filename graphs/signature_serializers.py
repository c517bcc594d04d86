"""The shape of a graph's signature in the API: `GET /api/graphs/{id}/signature/` and the
`signature` field of the graph detail, the gallery and shared answers (graphs/signature_views.py,
graphs/serializers.py, graphs/sharing_serializers.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from graphs.catalogue.types import DATA_TYPES
from graphs.compiler import graph_signature
from graphs.models import Graph


class SignatureInputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="A Python identifier, unique among the inputs.")
    type = serializers.ChoiceField(list(DATA_TYPES), help_text="A data pin type.")
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
    type = serializers.ChoiceField(list(DATA_TYPES), help_text="A data pin type.")


class SignatureSerializer(serializers.Serializer):
    """A graph's inputs (its Graph input nodes) and outputs (its Graph output nodes), each in
    canvas order: top to bottom, then left to right, then node id."""

    inputs = SignatureInputSerializer(many=True)
    outputs = SignatureOutputSerializer(many=True)


def signature_of(graph: Graph) -> dict[str, Any]:
    """The signature of a graph's current version."""
    return graph_signature({"nodes": graph.nodes, "edges": graph.edges})
