"""A graph's webhooks, and which runs each one started.

A hook keeps the SHA-256 of its token, never the token: whoever reads the database (or a backup)
cannot call a hook. Revoking deletes the row, so a revoked token is as unknown as one that never
existed (404) and can never come back.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Webhook(models.Model):
    graph = models.ForeignKey("graphs.Graph", on_delete=models.CASCADE, related_name="webhooks")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} of graph {self.graph_id}"


class WebhookRun(models.Model):
    """A run a hook started: the poll URL answers only for these (with that hook's token)."""

    hook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="runs")
    # The Execution's id. Not a foreign key: the run's record is written off the request's path
    # (execution/web/run_record.py), and a record pruned later leaves a poll that answers 202.
    run_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"run {self.run_id} of webhook {self.hook_id}"
