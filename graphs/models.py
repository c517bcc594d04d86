"""Saved graphs and their history.

A graph stores the React Flow document as JSON (`nodes`, `edges`, `viewport`). `version` grows by
one on every save; updates name the version they were based on, so a stale editor gets a 409
instead of silently overwriting someone's newer save.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

EXPORT_FORMAT = "nodeengine.graph"
EXPORT_FORMAT_VERSION = 2  # graphs/exchange.py; version 1 documents still import
IMPORTABLE_FORMAT_VERSIONS = (1, 2)


class Graph(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graphs"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="", max_length=10_000)
    nodes = models.JSONField(default=list, blank=True)
    edges = models.JSONField(default=list, blank=True)
    viewport = models.JSONField(default=dict, blank=True)
    # Copies of other users' graphs this one uses, {"<graph id>@<version>": {name, nodes, edges}}
    # (graphs/dependencies.py): taken when the graph is saved using them, so revoking a share
    # later changes nothing here. Never a share token.
    snapshots = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Sharing (docs/sharing.md): a read-only link while `share_token` is set (revoking clears
    # it, so the old link ends at once), and a listing in the public gallery while
    # `published_at` is set.
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    gallery_title = models.CharField(max_length=200, blank=True, default="")
    gallery_description = models.TextField(blank=True, default="", max_length=2000)
    published_at = models.DateTimeField(null=True, blank=True)
    # Where a fork came from: the link goes when the original is deleted, the note stays.
    forked_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forks"
    )
    forked_from_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"]),
            models.Index(fields=["-published_at"], name="graph_gallery"),
        ]

    def __str__(self) -> str:
        return self.name

    SNAPSHOT_FIELDS = ("name", "description", "nodes", "edges", "viewport", "snapshots")

    def snapshot(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in self.SNAPSHOT_FIELDS}

    def keep_revision(self) -> GraphRevision:
        """Store the current (about to be replaced) state; trim history to the configured size."""
        revision = GraphRevision.objects.create(graph=self, version=self.version, **self.snapshot())
        keep = settings.GRAPH_REVISIONS_KEPT
        stale = self.revisions.order_by("-version", "-id").values_list("id", "version")[keep:]
        if stale:
            # A version some graph uses (a `graph` node pins it) stays, however old.
            from graphs.dependencies import versions_in_use  # it reads graphs: import late

            used = versions_in_use(self)
            GraphRevision.objects.filter(
                id__in=[pk for pk, version in stale if version not in used]
            ).delete()
        return revision

    @transaction.atomic
    def save_new_version(self, changes: dict[str, Any], based_on: int | None = None) -> None:
        """Apply `changes` as one new save: previous state to history, version + 1.

        `based_on` is the version the caller's edit started from; when another save got there
        first, StaleVersion is raised and nothing is written. The row lock (SELECT ... FOR
        UPDATE) makes check-then-write atomic: a concurrent save waits here for the first to
        commit, then sees the new version and gets its 409.
        """
        current = type(self).objects.select_for_update().get(pk=self.pk)
        if based_on is not None and current.version != based_on:
            raise StaleVersion(current.version)
        for field in (*self.SNAPSHOT_FIELDS, "version", "updated_at"):
            setattr(self, field, getattr(current, field))
        self.keep_revision()
        for field, value in changes.items():
            setattr(self, field, value)
        self.version += 1
        self.save()

    def restore(self, revision: GraphRevision, based_on: int) -> None:
        """Bring back an old state; a restore is a save like any other (history, version, 409)."""
        self.save_new_version(revision.snapshot(), based_on=based_on)

    def duplicate(self, name: str | None = None) -> Graph:
        """A fresh graph (version 1, no history) with the same content, owned by the same user."""
        if not name:
            name = f"Copy of {self.name}"[: _name_max_length()]
        return Graph.objects.create(owner=self.owner, **dict(self.snapshot(), name=name))

    # --- Sharing (graphs/sharing.py decides who may read a graph) ---

    def share(self) -> bool:
        """Give the graph a read-only link; True if it was created now (else it existed)."""
        if self.share_token:
            return False
        self.share_token = secrets.token_urlsafe(24)
        Graph.objects.filter(pk=self.pk).update(share_token=self.share_token)
        return True

    def revoke_share(self) -> None:
        self.share_token = None
        Graph.objects.filter(pk=self.pk).update(share_token=None)

    def publish(self, title: str, description: str) -> None:
        """List the graph in the gallery (or change its listing); first listing time is kept."""
        self.gallery_title, self.gallery_description = title, description
        self.published_at = self.published_at or timezone.now()
        Graph.objects.filter(pk=self.pk).update(
            gallery_title=title, gallery_description=description, published_at=self.published_at
        )

    def unpublish(self) -> None:
        self.published_at = None
        Graph.objects.filter(pk=self.pk).update(published_at=None)

    @property
    def in_gallery(self) -> bool:
        return self.published_at is not None

    def gallery_listing(self) -> dict[str, Any] | None:
        """The listing shown in the gallery, or None while the graph is not listed."""
        if not self.in_gallery:
            return None
        return {
            "title": self.gallery_title,
            "description": self.gallery_description,
            "published_at": self.published_at,
        }

    def fork(self, owner: Any, name: str | None = None) -> Graph:
        """An independent copy owned by `owner` (version 1, no history, not shared), noting
        where it came from."""
        limit = _name_max_length()
        note = f"Forked from \u201c{self.name}\u201d by {self.owner.get_username()}"
        return Graph.objects.create(
            owner=owner,
            **dict(self.snapshot(), name=(name or self.name)[:limit]),
            forked_from=self,
            forked_from_note=note[:300],
        )


class StaleVersion(Exception):
    """An update was based on a version that is no longer the current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"The graph was saved elsewhere; current version is {current_version}.")
        self.current_version = current_version


class GraphRevision(models.Model):
    """The state of a graph as it was at `version`, before the save that replaced it."""

    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    nodes = models.JSONField(default=list)
    edges = models.JSONField(default=list)
    viewport = models.JSONField(default=dict)
    snapshots = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version", "-id"]
        indexes = [models.Index(fields=["graph", "-version"])]
        constraints = [
            # Each version is stored once: a second writer racing past the row lock would fail here.
            models.UniqueConstraint(
                fields=["graph", "version"], name="graph_revision_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.graph_id} v{self.version}"

    def snapshot(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in Graph.SNAPSHOT_FIELDS}


def _name_max_length() -> int | None:
    field = Graph._meta.get_field("name")
    assert isinstance(field, models.CharField)
    return field.max_length


# Library nodes (a user's functions as node types) live in their own module.
from graphs.library_models import NodeLibraryEntry, NodeLibraryVersion  # noqa: E402

__all__ = [
    "Graph",
    "GraphRevision",
    "NodeLibraryEntry",
    "NodeLibraryVersion",
    "StaleVersion",
]
