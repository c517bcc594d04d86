"""Graph, revision, and import/export representations; structure checks live in validation.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from graphs.models import EXPORT_FORMAT, EXPORT_FORMAT_VERSION, Graph, GraphRevision
from graphs.validation import validate_graph
from nodeengine.parsers import check_document

# --- Documentation-only shapes, so the OpenAPI schema shows the React Flow document. ---


class PositionDoc(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


class NodeDoc(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField(help_text="A node type of the catalogue (GET /api/nodes/).")
    position = PositionDoc()
    data = serializers.DictField(required=False, help_text="`params` holds the node's settings.")


class EdgeDoc(serializers.Serializer):
    id = serializers.CharField()
    source = serializers.CharField(help_text="Id of the node the edge starts at.")
    sourceHandle = serializers.CharField(allow_null=True, required=False)
    target = serializers.CharField(help_text="Id of the node the edge ends at.")
    targetHandle = serializers.CharField(allow_null=True, required=False)


class ViewportDoc(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()
    zoom = serializers.FloatField()


class StorableJSONField(serializers.JSONField):
    """A JSON value that Postgres can store. A form or multipart body carries it as JSON text,
    which DRF parses here, after the body parser's guard: so the guard runs again on the value
    (a `\\u0000` escape in such text was a 500)."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        try:
            check_document(value, settings.GRAPH_MAX_DEPTH)
        except ParseError as error:
            raise serializers.ValidationError(str(error.detail)) from None
        return value


@extend_schema_field(NodeDoc(many=True))
class NodesField(StorableJSONField):
    pass


@extend_schema_field(EdgeDoc(many=True))
class EdgesField(StorableJSONField):
    pass


@extend_schema_field(ViewportDoc)
class ViewportField(StorableJSONField):
    pass


# --- Graphs ---


class GraphSerializer(serializers.ModelSerializer):
    nodes = NodesField(required=False)
    edges = EdgesField(required=False)
    viewport = ViewportField(required=False)
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="On update (PUT/PATCH): the version this edit is based on (required); "
        "a stale one answers 409. Ignored on create.",
    )

    class Meta:
        model = Graph
        fields = [
            "id",
            "name",
            "description",
            "nodes",
            "edges",
            "viewport",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError(
                {"version": ["This field is required: send the version your edit is based on."]}
            )

        def current(field: str, empty: Any) -> Any:
            if field in attrs:
                return attrs[field]
            return getattr(self.instance, field) if self.instance is not None else empty

        errors = validate_graph(
            current("nodes", []),
            current("edges", []),
            current("viewport", {}),
            max_nodes=settings.GRAPH_MAX_NODES,
            max_edges=settings.GRAPH_MAX_EDGES,
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Graph:
        validated_data.pop("version", None)
        return Graph.objects.create(**validated_data)

    def update(self, instance: Graph, validated_data: dict[str, Any]) -> Graph:
        based_on = validated_data.pop("version")
        instance.save_new_version(validated_data, based_on=based_on)  # may raise StaleVersion
        return instance


class GraphSummarySerializer(serializers.ModelSerializer):
    """A list row: everything but the (possibly large) document."""

    class Meta:
        model = Graph
        fields = ["id", "name", "description", "version", "created_at", "updated_at"]
        read_only_fields = fields


class DuplicateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=200, required=False, help_text='Defaults to "Copy of <name>".'
    )


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


# --- Revisions ---


class GraphRevisionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = GraphRevision
        fields = ["version", "name", "created_at"]
        read_only_fields = fields


class GraphRevisionSerializer(serializers.ModelSerializer):
    nodes = NodesField(read_only=True)
    edges = EdgesField(read_only=True)
    viewport = ViewportField(read_only=True)

    class Meta:
        model = GraphRevision
        fields = ["version", "name", "description", "nodes", "edges", "viewport", "created_at"]
        read_only_fields = fields


class RestoreSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The graph's current version (the restore is a save based on it)."
    )


# --- Export / import ---


class GraphContentSerializer(GraphSerializer):
    """The `graph` object of an export document."""

    class Meta(GraphSerializer.Meta):
        fields = ["name", "description", "nodes", "edges", "viewport"]
        read_only_fields: list[str] = []


class GraphExportSerializer(serializers.Serializer):
    format = serializers.CharField(help_text=f'Always "{EXPORT_FORMAT}".')
    format_version = serializers.IntegerField(help_text=f"Currently {EXPORT_FORMAT_VERSION}.")
    exported_at = serializers.DateTimeField(required=False)
    graph = GraphContentSerializer()

    def validate_format(self, value: str) -> str:
        if value != EXPORT_FORMAT:
            raise serializers.ValidationError(
                f"must be {EXPORT_FORMAT!r} (got {value[:60]!r}): "
                "this is not a Node Engine graph export."
            )
        return value

    def validate_format_version(self, value: int) -> int:
        if value != EXPORT_FORMAT_VERSION:
            raise serializers.ValidationError(
                f"version {value} is not supported: this server reads "
                f"format_version {EXPORT_FORMAT_VERSION}."
            )
        return value

    def create(self, validated_data: dict[str, Any]) -> Graph:
        content = dict(validated_data["graph"])
        content.pop("version", None)
        return Graph.objects.create(owner=self.context["request"].user, **content)
