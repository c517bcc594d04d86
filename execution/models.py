"""Execution records: one row per run admitted, over the WebSocket or over REST
(execution/web/rest_run.py runs the same ClientRun a socket does).

The row is the record of a run, written in the background off the run's path
(execution/web/client_run.py, which also counts the finished run for /metrics); the per-user
limits and queue positions are decided by execution/web/admission.py (atomic in Redis across
web processes, in memory in embedded mode). Its `reason` is one of execution/exit_reasons.py.

Life of a row: `queued` (admitted; `dispatched_at` set once a pool worker may take it) ->
`running` (a worker said `started`) -> `finished` (exit_code / reason / timings filled in).
Rows left active by a crashed web process are treated as abandoned after `stale_after()`
seconds (admission forgets its entries after the same time, so a crash never locks a user out).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from execution import exit_reasons


class Execution(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        FINISHED = "finished"

    OUTPUT_TAIL_BYTES = 64 * 1024

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="executions"
    )
    graph = models.ForeignKey(
        "graphs.Graph", on_delete=models.SET_NULL, null=True, blank=True, related_name="executions"
    )
    script_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    exit_code = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=16, choices=exit_reasons.CHOICES, blank=True, default="")
    message = models.CharField(max_length=500, blank=True, default="")
    queued_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    time_to_first_output = models.PositiveIntegerField(
        null=True, blank=True, help_text="Milliseconds from the run request to the first output."
    )
    output_bytes = models.PositiveBigIntegerField(default=0)
    output_tail = models.TextField(blank=True, default="")
    worker = models.CharField(max_length=200, blank=True, default="")
    node_id = models.CharField(max_length=200, blank=True, default="")
    # A graph run's outputs (its `result` event: name -> JSON value, integers past 2^53 as
    # decimal text) and the warnings of values that were not JSON or did not fit; {} and [] when
    # the run recorded none (docs/interfaces.md, "Graph inputs and outputs").
    outputs = models.JSONField(default=dict, blank=True)
    output_warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        indexes = [
            models.Index(fields=["user", "-queued_at"]),
            models.Index(fields=["status", "queued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @staticmethod
    def stale_after() -> timedelta:
        """How long an unfinished run may count as active: the longest legitimate life of a run."""
        from execution import dispatch

        return timedelta(
            seconds=dispatch.DISPATCH_DEADLINE_SECONDS + settings.RUN_WALL_SECONDS + 120
        )

    # --- Updates written in the background by the web side (execution/web/client_run.py) ---

    def mark_started(self, worker: str, started_at: Any) -> None:
        self.status = Execution.Status.RUNNING
        self.started_at = started_at
        self.worker = worker[:200]
        # Conditional: this write may land after the run already finished.
        Execution.objects.filter(pk=self.pk, status=Execution.Status.QUEUED).update(
            status=self.status, started_at=self.started_at, worker=self.worker
        )

    def mark_finished(self, **fields: Any) -> None:
        fields.setdefault("finished_at", timezone.now())
        fields["status"] = Execution.Status.FINISHED
        if "message" in fields:
            fields["message"] = fields["message"][:500]
        if "output_tail" in fields:
            # Postgres text cannot hold NUL; user output may contain it.
            fields["output_tail"] = fields["output_tail"].replace("\x00", "\ufffd")
        for name in ("outputs", "output_warnings"):
            if name in fields:
                fields[name] = without_nul(fields[name])
        for name, value in fields.items():
            setattr(self, name, value)
        Execution.objects.filter(pk=self.pk).update(**fields)


def without_nul(value: Any) -> Any:
    """A JSON value Postgres' jsonb can hold: it refuses NUL in text (keys too), which a
    script's output may contain; U+FFFD instead, as in the output tail."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value
