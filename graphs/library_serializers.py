"""Library entries over JSON (routes in graphs/library_views.py; docs/interfaces.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from graphs.compile_views import DiagnosticSerializer
from graphs.library.parse import MAX_CODE_CHARS
from graphs.library_models import NodeLibraryEntry, NodeLibraryVersion
from graphs.serializers import GalleryListingSerializer
from nodeengine.api.fields import StrictCharField
from nodeengine.api.schema import ErrorSerializer

# Longer code is a `code_too_long` diagnostic (parse.py), not a field error; past this, the body
# itself is refused.
_BODY_CODE_CHARS = MAX_CODE_CHARS * 2

NODE_TYPE = serializers.DictField(
    help_text="The node type the code defines, in exactly the shape of a node of GET /api/nodes/ "
    "(type `lib:<id>`; docs/catalogue.md, 'Library nodes')."
)


class LibraryCodeSerializer(serializers.Serializer):
    """POST /api/node-library/, PUT /api/node-library/{id}/ and the preview."""

    code = StrictCharField(
        max_length=_BODY_CODE_CHARS,
        trim_whitespace=False,
        allow_blank=True,
        help_text="Python defining exactly one public function (docs/catalogue.md).",
    )
    description = StrictCharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        help_text="The entry's description; without one, the function's docstring.",
    )


class LibraryEntrySerializer(serializers.ModelSerializer):
    node = serializers.JSONField(read_only=True, help_text=NODE_TYPE.help_text)
    gallery = serializers.SerializerMethodField(
        help_text="The entry's gallery listing while it is listed, else null."
    )

    class Meta:
        model = NodeLibraryEntry
        fields = [
            "id",
            "name",
            "version",
            "code",
            "description",
            "node",
            "created_at",
            "updated_at",
            "gallery",
            "forked_from",
            "forked_from_note",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": "The function's name (the node's title)."},
            "version": {"help_text": "The current version n (each save of new code adds one)."},
            "forked_from": {"help_text": "The entry this one was forked from (null once gone)."},
        }

    @extend_schema_field(GalleryListingSerializer(allow_null=True))
    def get_gallery(self, entry: NodeLibraryEntry) -> dict[str, Any] | None:
        listing = entry.gallery_listing()
        return GalleryListingSerializer(listing).data if listing is not None else None


class LibraryVersionSerializer(serializers.ModelSerializer):
    node = serializers.JSONField(read_only=True, help_text=NODE_TYPE.help_text)

    class Meta:
        model = NodeLibraryVersion
        fields = ["n", "code", "node", "created_at"]
        read_only_fields = fields


class LibraryGalleryItemSerializer(serializers.ModelSerializer):
    """A row of GET /api/gallery/nodes/: the listing, the code and the node it defines."""

    title = serializers.CharField(source="gallery_title")
    gallery_description = serializers.CharField()
    owner = serializers.CharField(source="owner.username", help_text="The author's username.")
    node = serializers.JSONField(read_only=True, help_text=NODE_TYPE.help_text)

    class Meta:
        model = NodeLibraryEntry
        fields = [
            "id",
            "name",
            "title",
            "description",
            "gallery_description",
            "owner",
            "version",
            "code",
            "node",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields


class LibraryPreviewSerializer(serializers.Serializer):
    node = serializers.JSONField(
        allow_null=True, help_text="The node type (type `lib:0`), or null when the code is refused."
    )
    diagnostics = DiagnosticSerializer(many=True)


class LibraryErrorSerializer(ErrorSerializer):
    """400: the API's error answer; for code that cannot be a node, with its diagnostics."""

    diagnostics = DiagnosticSerializer(
        many=True,
        required=False,
        help_text="When the code is refused: why, each with its line (absent for a malformed "
        "body).",
    )
