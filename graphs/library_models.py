"""Library nodes as saved: an entry (a user's function as a node type, `lib:<id>`) and its versions.

Each save of new code is a version `n` (1, 2, ...), kept for good: graphs pin a version
(`data.params.version`) and embed its code when saved (graphs/dependencies.py), so nothing
changes under them. The entry keeps its current code and node beside the versions, for lists.
Gallery and fork fields are those of graphs (docs/sharing.md); graphs/sharing.py's rule is
mirrored by `readable_entries`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone


class NodeLibraryEntry(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_entries"
    )
    name = models.CharField(max_length=200)  # the function's name: the node's title
    description = models.TextField(blank=True, default="", max_length=10_000)
    version = models.PositiveIntegerField(default=1)  # the current version's n
    code = models.TextField()  # the current version's code and node type
    node = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    gallery_title = models.CharField(max_length=200, blank=True, default="")
    gallery_description = models.TextField(blank=True, default="", max_length=2000)
    published_at = models.DateTimeField(null=True, blank=True)
    forked_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forks"
    )
    forked_from_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="library_owner"),
            models.Index(fields=["-published_at"], name="library_gallery"),
        ]

    def __str__(self) -> str:
        return self.name

    @transaction.atomic
    def save_code(self, code: str, name: str, node_for: Any, description: str) -> bool:
        """A new version when `code` differs from the current one (True); `node_for(n)` gives
        the node type of version n. The description changes either way."""
        current = type(self).objects.select_for_update().get(pk=self.pk)
        self.description = description
        if current.code == code:
            self.save(update_fields=["description", "updated_at"])
            return False
        self.version = current.version + 1
        self.code, self.name, self.node = code, name, node_for(self.version)
        self.save()
        NodeLibraryVersion.objects.create(entry=self, n=self.version, code=code, node=self.node)
        return True

    def publish(self, title: str, description: str) -> None:
        self.gallery_title, self.gallery_description = title, description
        self.published_at = self.published_at or timezone.now()
        type(self).objects.filter(pk=self.pk).update(
            gallery_title=title, gallery_description=description, published_at=self.published_at
        )

    def unpublish(self) -> None:
        self.published_at = None
        type(self).objects.filter(pk=self.pk).update(published_at=None)

    def gallery_listing(self) -> dict[str, Any] | None:
        if self.published_at is None:
            return None
        return {
            "title": self.gallery_title,
            "description": self.gallery_description,
            "published_at": self.published_at,
        }


class NodeLibraryVersion(models.Model):
    entry = models.ForeignKey(NodeLibraryEntry, on_delete=models.CASCADE, related_name="versions")
    n = models.PositiveIntegerField()
    code = models.TextField()
    node = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-n"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "n"], name="library_version_unique_n")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.n}"


def readable_entries(user_id: int) -> QuerySet[NodeLibraryEntry]:
    """The entries a user may read (and fork): their own, and those in the gallery."""
    return NodeLibraryEntry.objects.filter(Q(owner_id=user_id) | Q(published_at__isnull=False))
