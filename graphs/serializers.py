"""Graph, revision, and import/export representations; structure checks live in validation.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from graphs.dependencies import take_snapshots
from graphs.exchange import MAX_DEPENDENCIES, import_document
from graphs.library.parse import MAX_CODE_CHARS as MAX_LIBRARY_CODE_CHARS
from graphs.library.parse import parse_function
from graphs.models import (
    EXPORT_FORMAT,
    EXPORT_FORMAT_VERSION,
    IMPORTABLE_FORMAT_VERSIONS,
    Graph,
    GraphRevision,
)
from graphs.sharing import SHARE_TOKEN_MAX_CHARS
from graphs.signature_serializers import (
    SignatureSerializer,
    SnapshotSummarySerializer,
    signature_of,
    snapshot_summaries,
)
from graphs.validation import MAX_ID_LENGTH, validate_graph
from nodeengine.api.fields import (
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
    documented,
)
from nodeengine.api.schema import ErrorSerializer
from nodeengine.parsers import check_document

__all__ = ["ErrorSerializer"]  # re-exported: the error shape of every answer

# --- Documentation-only shapes, so the OpenAPI schema shows the React Flow document and the
# rules graphs/validation.py enforces (those JSON Schema can say; see GRAPH_RULES for the rest).

GRAPH_RULES = (
    "Node ids are unique within `nodes`, edge ids within `edges`, and an edge's `source` and "
    "`target` are ids of nodes of the same graph. No text anywhere may contain NUL (U+0000) or "
    "an unpaired surrogate, and JSON nests at most GRAPH_MAX_DEPTH levels."
)


def _element_id(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        min_length=1, max_length=MAX_ID_LENGTH, trim_whitespace=False, help_text=help_text
    )


class PositionDoc(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


PIN_VALUE = {
    "anyOf": [
        {"type": "string", "nullable": True},
        {"type": "number"},
        {"type": "boolean"},
    ]
}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "params": {"description": "The node's settings (an object for the catalogue's nodes)."},
            "inputs": {
                "type": "object",
                "additionalProperties": PIN_VALUE,
                "description": "Values typed on pins: port id (at most "
                f"{MAX_ID_LENGTH} characters) -> a string, number, boolean or null.",
            },
            "label": {"description": "The node's title in the editor, when renamed (a string)."},
        },
        "description": "`params` holds the node's settings, `inputs` values typed on its pins.",
    }
)
class NodeDataField(serializers.DictField):
    pass


class NodeDoc(serializers.Serializer):
    id = _element_id("Unique among the graph's nodes.")
    type = serializers.CharField(help_text="A node type of the catalogue (GET /api/nodes/).")
    position = PositionDoc()
    # The JSON field `data` shadows Serializer.data: this serializer only documents the schema.
    data = NodeDataField(required=False)  # type: ignore[assignment]


class EdgeDoc(serializers.Serializer):
    id = _element_id("Unique among the graph's edges.")
    # `source` shadows Field.source (a serializer's own): only the schema reads this one.
    source = _element_id("Id of the node the edge starts at.")  # type: ignore[assignment]
    sourceHandle = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, trim_whitespace=False
    )
    target = _element_id("Id of the node the edge ends at.")
    targetHandle = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, trim_whitespace=False
    )


VIEWPORT = {
    "description": "`{}` (not set yet) or `{x, y, zoom}` with a zoom above 0.",
    "anyOf": [
        {"type": "object", "maxProperties": 0},
        {
            "type": "object",
            "required": ["x", "y", "zoom"],
            "properties": {
                "x": {"type": "number"},
                "y": {"type": "number"},
                "zoom": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            },
        },
    ],
}


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


class NodesField(StorableJSONField):
    pass


class EdgesField(StorableJSONField):
    pass


@extend_schema_field(VIEWPORT)
class ViewportField(StorableJSONField):
    pass


class DocumentFieldsMixin(serializers.Serializer):
    # nodes and edges documented with their size limits, read from settings when the schema
    # is made.

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, doc, limit in (
            ("nodes", NodeDoc, settings.GRAPH_MAX_NODES),
            ("edges", EdgeDoc, settings.GRAPH_MAX_EDGES),
        ):
            if name in fields:
                field = fields[name]
                mark = extend_schema_field(
                    serializers.ListField(child=doc(), help_text=GRAPH_RULES)
                )
                # The decorator marks this field object; its type allows classes and functions.
                mark(field)  # type: ignore[type-var]
                documented(field, maxItems=limit)
        return fields


# --- Graphs ---


VERSION_REQUIRED = "This field is required: send the version your edit is based on."


class GalleryListingSerializer(serializers.Serializer):
    """A graph's listing in the public gallery (PUT /api/graphs/{id}/gallery/)."""

    title = StrictCharField(min_length=1, max_length=200, help_text="Shown in the gallery.")
    description = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    published_at = serializers.DateTimeField(read_only=True)


def share_url(request: Any, token: str) -> str:
    """The absolute read-only link (the schema says `uri`): `<origin>/s/<token>`."""
    return str(request.build_absolute_uri(f"/s/{token}"))


class GraphSerializer(DocumentFieldsMixin, StrictModelSerializer):
    """A saved graph: its React Flow document (nodes, edges, viewport) and its version."""

    share_url = serializers.SerializerMethodField(
        help_text="The read-only link while the graph is shared (POST .../share/), else null."
    )
    gallery = serializers.SerializerMethodField(
        help_text="The graph's gallery listing while it is listed, else null."
    )
    signature = serializers.SerializerMethodField(
        help_text="The inputs and outputs of the graph as saved (GET .../signature/)."
    )
    snapshots = serializers.SerializerMethodField(
        help_text='The copies of other users\' graphs this graph uses, by "<graph id>@<version>" '
        "(taken when it is saved using them; the copies themselves stay on the server)."
    )
    share_tokens = serializers.ListField(
        child=StrictCharField(min_length=1, max_length=SHARE_TOKEN_MAX_CHARS),
        max_length=50,
        required=False,
        write_only=True,
        help_text="Share tokens of graphs shared with you by link that this save starts using "
        "(`graph` nodes): used once, to copy them, never stored.",
    )
    nodes = NodesField(required=False)
    edges = EdgesField(required=False)
    viewport = ViewportField(required=False)
    version = StrictIntegerField(
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
            "share_token",
            "share_url",
            "gallery",
            "signature",
            "snapshots",
            "share_tokens",
            "forked_from",
            "forked_from_note",
        ]
        read_only_fields = [
            "id",
            "created_at",
            "updated_at",
            "share_token",
            "forked_from",
            "forked_from_note",
        ]
        extra_kwargs = {
            "share_token": {"help_text": "The token of the read-only link, null when not shared."},
            "forked_from": {"help_text": "The graph this one was forked from (null once gone)."},
            "forked_from_note": {"help_text": 'Where a fork came from ("" if not a fork).'},
        }

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_share_url(self, graph: Graph) -> str | None:
        if not graph.share_token:
            return None
        # Every view passes its request: a relative link is not the absolute `uri` the schema says.
        return share_url(self.context["request"], graph.share_token)

    @extend_schema_field(GalleryListingSerializer(allow_null=True))
    def get_gallery(self, graph: Graph) -> dict[str, Any] | None:
        listing = graph.gallery_listing()
        return GalleryListingSerializer(listing).data if listing is not None else None

    @extend_schema_field(SignatureSerializer())
    def get_signature(self, graph: Graph) -> dict[str, Any]:
        return signature_of(graph)

    @extend_schema_field(SnapshotSummarySerializer(many=True))
    def get_snapshots(self, graph: Graph) -> list[dict[str, Any]]:
        return snapshot_summaries(graph.snapshots)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": [VERSION_REQUIRED]})

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
        tokens = validated_data.pop("share_tokens", [])
        owner = validated_data["owner"]
        validated_data["snapshots"] = take_snapshots(
            owner.pk, validated_data.get("nodes", []), {}, tokens
        )
        return Graph.objects.create(**validated_data)

    def update(self, instance: Graph, validated_data: dict[str, Any]) -> Graph:
        based_on = validated_data.pop("version")
        tokens = validated_data.pop("share_tokens", [])
        nodes = validated_data.get("nodes", instance.nodes)
        validated_data["snapshots"] = take_snapshots(
            instance.owner_id, nodes, instance.snapshots, tokens
        )
        instance.save_new_version(validated_data, based_on=based_on)  # may raise StaleVersion
        return instance


class GraphUpdateSerializer(GraphSerializer):
    """PUT and PATCH: the same fields, and `version` is required (also for PATCH)."""

    version = StrictIntegerField(
        min_value=1,
        error_messages={"required": VERSION_REQUIRED},
        help_text="The version this edit is based on; a stale one answers 409.",
    )
    required_on_patch = ("version",)  # nodeengine/api/schema.py: kept required in the PATCH schema

    class Meta(GraphSerializer.Meta):
        pass


class GraphSummarySerializer(serializers.ModelSerializer):
    """A list row: everything but the (possibly large) document."""

    class Meta:
        model = Graph
        fields = ["id", "name", "description", "version", "created_at", "updated_at"]
        read_only_fields = fields


class DuplicateSerializer(serializers.Serializer):
    name = StrictCharField(
        max_length=200, required=False, help_text='Defaults to "Copy of <name>".'
    )


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


# --- Revisions ---


class GraphRevisionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = GraphRevision
        fields = ["version", "name", "created_at"]
        read_only_fields = fields


class GraphRevisionSerializer(DocumentFieldsMixin, serializers.ModelSerializer):
    nodes = NodesField(read_only=True)
    edges = EdgesField(read_only=True)
    viewport = ViewportField(read_only=True)

    class Meta:
        model = GraphRevision
        fields = ["version", "name", "description", "nodes", "edges", "viewport", "created_at"]
        read_only_fields = fields


class RestoreSerializer(serializers.Serializer):
    version = StrictIntegerField(
        min_value=1, help_text="The graph's current version (the restore is a save based on it)."
    )


# --- Export / import ---


class GraphContentSerializer(GraphSerializer):
    """The `graph` object of an export document."""

    class Meta(GraphSerializer.Meta):
        fields = ["name", "description", "nodes", "edges", "viewport"]
        read_only_fields: list[str] = []


@extend_schema_field({"type": "string", "enum": [EXPORT_FORMAT]})
class ExportFormatField(StrictCharField):
    pass


@extend_schema_field({"type": "integer", "enum": list(IMPORTABLE_FORMAT_VERSIONS)})
class ExportFormatVersionField(StrictIntegerField):
    pass


class DependencySerializer(serializers.Serializer):
    """One graph an exported graph uses: the pinned revision, by its id on the exporting server."""

    id = StrictIntegerField(min_value=1, help_text="The graph's id where it was exported.")
    version = StrictIntegerField(min_value=1, help_text="The pinned version.")
    graph = GraphContentSerializer()


class LibraryDependencySerializer(serializers.Serializer):
    """One library node version an exported graph uses, by its entry id on the exporting server."""

    id = StrictIntegerField(min_value=1, help_text="The entry's id where it was exported.")
    version = StrictIntegerField(min_value=1, help_text="The pinned version.")
    name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    code = StrictCharField(
        max_length=MAX_LIBRARY_CODE_CHARS, trim_whitespace=False, help_text="The function's code."
    )
    description = StrictCharField(
        max_length=10_000, required=False, allow_blank=True, trim_whitespace=False, default=""
    )

    def validate_code(self, value: str) -> str:
        function, diagnostics = parse_function(value)
        if function is None:
            first = diagnostics[0]
            raise serializers.ValidationError(f"line {first.line}: {first.message}")
        return value


class DependenciesSerializer(serializers.Serializer):
    library = serializers.ListField(
        child=LibraryDependencySerializer(),
        required=False,
        default=list,
        max_length=MAX_DEPENDENCIES,
        help_text="Every library node version the graph (or a graph it uses) uses, once each; on "
        "import each becomes a new library entry of yours and the `lib:` nodes are remapped.",
    )
    graphs = serializers.ListField(
        child=DependencySerializer(),
        required=False,
        default=list,
        max_length=MAX_DEPENDENCIES,
        help_text="Every graph the graph uses (directly or through others), each pinned revision "
        "once; on import each becomes a new graph of yours and the `graph` nodes are remapped.",
    )

    def validate_graphs(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = [(item["id"], item["version"]) for item in value]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("Each (id, version) may appear once.")
        return value

    def validate_library(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.validate_graphs(value)


class GraphExportSerializer(serializers.Serializer):
    format = ExportFormatField(help_text=f'Always "{EXPORT_FORMAT}".')
    format_version = ExportFormatVersionField(
        help_text=f"Currently {EXPORT_FORMAT_VERSION}; version 1 documents (no dependencies) "
        "still import."
    )
    exported_at = serializers.DateTimeField(required=False)
    graph = GraphContentSerializer()
    dependencies = DependenciesSerializer(required=False)

    def validate_format(self, value: str) -> str:
        if value != EXPORT_FORMAT:
            raise serializers.ValidationError(
                f"must be {EXPORT_FORMAT!r} (got {value[:60]!r}): "
                "this is not a Node Engine graph export."
            )
        return value

    def validate_format_version(self, value: int) -> int:
        if value not in IMPORTABLE_FORMAT_VERSIONS:
            raise serializers.ValidationError(
                f"version {value} is not supported: this server reads format_version "
                + " and ".join(str(v) for v in IMPORTABLE_FORMAT_VERSIONS)
                + "."
            )
        return value

    def create(self, validated_data: dict[str, Any]) -> Graph:
        content = dict(validated_data["graph"])
        content.pop("version", None)
        given = validated_data.get("dependencies", {})
        return import_document(
            self.context["request"].user,
            content,
            given.get("graphs", []),
            given.get("library", []),
        )
