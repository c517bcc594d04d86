"""What the sharing routes send and take (graphs/sharing_views.py, docs/sharing.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from graphs.models import Graph
from graphs.serializers import DocumentFieldsMixin, EdgesField, NodesField, ViewportField
from graphs.sharing import SHARE_TOKEN_MAX_CHARS
from graphs.signature_serializers import SignatureSerializer, signature_of
from nodeengine.api.fields import StrictCharField


class ShareLinkSerializer(serializers.Serializer):
    share_token = serializers.CharField(help_text="The secret part of the link.")
    share_url = serializers.URLField(help_text="The read-only link to hand out.")


class GalleryItemSerializer(serializers.ModelSerializer):
    """A gallery row: the listing, not the document."""

    title = serializers.CharField(source="gallery_title")
    description = serializers.CharField(source="gallery_description")
    owner = serializers.CharField(source="owner.username", help_text="The author's username.")

    class Meta:
        model = Graph
        fields = ["id", "title", "description", "owner", "published_at", "updated_at"]
        read_only_fields = fields


@extend_schema_field({"type": "string", "enum": ["gallery", "link"]})
class SourceField(serializers.CharField):
    pass


class SharedGraphSerializer(DocumentFieldsMixin, serializers.ModelSerializer):
    """A graph someone shared, as a reader sees it: the document, read-only; no share token,
    listing state or history of the owner's."""

    nodes = NodesField(read_only=True)
    edges = EdgesField(read_only=True)
    viewport = ViewportField(read_only=True)
    owner = serializers.CharField(source="owner.username", help_text="The author's username.")
    title = serializers.SerializerMethodField(help_text="The gallery title, else the name.")
    # The JSON field `source` shadows Field.source, as EdgeDoc's (graphs/serializers.py).
    source = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="How the reader reached it: the gallery, or a share link."
    )
    signature = serializers.SerializerMethodField(
        help_text="The inputs and outputs of the graph as saved."
    )

    class Meta:
        model = Graph
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "nodes",
            "edges",
            "viewport",
            "version",
            "updated_at",
            "title",
            "source",
            "signature",
        ]
        read_only_fields = fields

    def get_title(self, graph: Graph) -> str:
        return graph.gallery_title if graph.in_gallery else graph.name

    @extend_schema_field(SignatureSerializer())
    def get_signature(self, graph: Graph) -> dict[str, Any]:
        return signature_of(graph)

    @extend_schema_field(SourceField())
    def get_source(self, graph: Graph) -> str:
        return str(self.context.get("source", "gallery"))


def share_token_field() -> StrictCharField:
    return StrictCharField(
        required=False,
        min_length=1,
        max_length=SHARE_TOKEN_MAX_CHARS,
        help_text="The token of the link the graph was shared with you by; not needed for your "
        "own graphs or those in the gallery.",
    )


class ForkSerializer(serializers.Serializer):
    share_token = share_token_field()
    name = StrictCharField(
        required=False, min_length=1, max_length=200, help_text="Defaults to the original's name."
    )
