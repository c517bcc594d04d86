"""Saved graphs and their history.

A graph stores the React Flow document as JSON (`nodes`, `edges`, `viewport`). `version` grows by
one on every save; updates name the version they were based on, so a stale editor gets a 409
instead of silently overwriting someone's newer save.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction


class Graph(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graphs")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="", max_length=10_000)
    nodes = models.JSONField(default=list, blank=True)
    edges = models.JSONField(default=list, blank=True)
    viewport = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.name

    SNAPSHOT_FIELDS = ("name", "description", "nodes", "edges", "viewport")

    def snapshot(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in self.SNAPSHOT_FIELDS}

    def keep_revision(self) -> GraphRevision:
        """Store the current (about to be replaced) state, then trim history to the configured size."""
        revision = GraphRevision.objects.create(graph=self, version=self.version, **self.snapshot())
        keep = settings.GRAPH_REVISIONS_KEPT
        stale = self.revisions.order_by("-version", "-id").values_list("id", flat=True)[keep:]
        GraphRevision.objects.filter(id__in=list(stale)).delete()
        return revision

    @transaction.atomic
    def save_new_version(self, changes: dict[str, Any]) -> None:
        """Apply `changes` as one new save: previous state to history, version + 1."""
        self.keep_revision()
        for field, value in changes.items():
            setattr(self, field, value)
        self.version += 1
        self.save()


class GraphRevision(models.Model):
    """The state of a graph as it was at `version`, before the save that replaced it."""

    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    nodes = models.JSONField(default=list)
    edges = models.JSONField(default=list)
    viewport = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version", "-id"]
        indexes = [models.Index(fields=["graph", "-version"])]

    def __str__(self) -> str:
        return f"{self.graph_id} v{self.version}"
