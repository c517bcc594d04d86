"""Admin for graphs: edits go through the same structure checks and history as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin

from graphs.models import Graph, GraphRevision, NodeLibraryEntry
from graphs.validation import validate_graph


class GraphAdminForm(forms.ModelForm):
    class Meta:
        model = Graph
        fields = ["owner", "name", "description", "nodes", "edges", "viewport"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned is None:  # ModelForm's returns cleaned_data; the stubs allow a None
            cleaned = self.cleaned_data
        if not {"nodes", "edges", "viewport"} <= set(cleaned):
            return cleaned  # a field already failed to parse; Django reports it
        errors = validate_graph(
            cleaned["nodes"],
            cleaned["edges"],
            cleaned["viewport"],
            max_nodes=settings.GRAPH_MAX_NODES,
            max_edges=settings.GRAPH_MAX_EDGES,
        )
        for field, messages in errors.items():
            self.add_error(field, messages)
        return cleaned


@admin.register(Graph)
class GraphAdmin(admin.ModelAdmin):
    form = GraphAdminForm
    list_display = ("name", "owner", "version", "updated_at", "shared_by_link", "gallery_title")
    list_filter = ("updated_at", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "owner__username", "gallery_title")
    raw_id_fields = ("owner",)
    readonly_fields = (
        "version",
        "created_at",
        "updated_at",
        "share_token",
        "gallery_title",
        "gallery_description",
        "published_at",
        "forked_from",
        "forked_from_note",
    )
    actions = ("take_out_of_gallery", "revoke_share_links")

    @admin.display(boolean=True, description="Link")
    def shared_by_link(self, graph: Graph) -> bool:
        return bool(graph.share_token)

    # Moderation: an operator can end what an owner shared (docs/sharing.md).
    @admin.action(description="Take the selected graphs out of the gallery")
    def take_out_of_gallery(self, request: Any, queryset: Any) -> None:
        count = queryset.update(published_at=None)
        self.message_user(request, f"{count} graph(s) taken out of the gallery.")

    @admin.action(description="Revoke the selected graphs' share links")
    def revoke_share_links(self, request: Any, queryset: Any) -> None:
        count = queryset.update(share_token=None)
        self.message_user(request, f"{count} share link(s) revoked.")

    def save_model(self, request: Any, obj: Graph, form: forms.ModelForm, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # A change made here is a save like any other: the previous state goes to history.
        changes = {f: form.cleaned_data[f] for f in Graph.SNAPSHOT_FIELDS if f in form.cleaned_data}
        obj.save_new_version(changes)


@admin.register(GraphRevision)
class GraphRevisionAdmin(admin.ModelAdmin):
    list_display = ("graph", "version", "name", "created_at")
    raw_id_fields = ("graph",)
    readonly_fields = ("created_at",)


@admin.register(NodeLibraryEntry)
class NodeLibraryEntryAdmin(admin.ModelAdmin):
    """Library nodes: read-only here (code changes are versions, made through the API); an
    operator can take one out of the node gallery, as for graphs (docs/sharing.md)."""

    list_display = ("name", "owner", "version", "updated_at", "gallery_title")
    list_filter = ("updated_at", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "owner__username", "gallery_title")
    raw_id_fields = ("owner", "forked_from")
    readonly_fields = (
        "owner",
        "name",
        "description",
        "version",
        "code",
        "node",
        "created_at",
        "updated_at",
        "gallery_title",
        "gallery_description",
        "published_at",
        "forked_from",
        "forked_from_note",
    )
    actions = ("take_out_of_gallery",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.action(description="Take the selected library nodes out of the gallery")
    def take_out_of_gallery(self, request: Any, queryset: Any) -> None:
        count = queryset.update(published_at=None)
        self.message_user(request, f"{count} library node(s) taken out of the gallery.")
