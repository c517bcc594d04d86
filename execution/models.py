"""Execution records: one row per run admitted over the WebSocket.

The row is the record of a run, written in the background off the run's path
(execution/web/client_run.py); the per-user limits and queue positions are decided by
execution/web/admission.py (atomic in Redis across web processes, in memory in embedded mode).

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


class Execution(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        FINISHED = "finished"

    class Reason(models.TextChoices):
        OK = "ok"
        ERROR = "error"
        TIMEOUT = "timeout"
        CPU_LIMIT = "cpu_limit", "CPU limit"
        KILLED = "killed"
        MEMORY = "memory"
        OUTPUT_LIMIT = "output_limit"
        WORKER_LOST = "worker_lost"
        PAUSE_LIMIT = "pause_limit", "Pause limit"
        DEBUG_CHANNEL = "side_channel", "Side channel"

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
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True, default="")
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
        for name, value in fields.items():
            setattr(self, name, value)
        # The run has finished whether or not this write lands: count it for /metrics first
        # (a per-process counter and histogram, so no scrape aggregates this table).
        from nodeengine import metrics

        metrics.observe_finished_run(self.reason, self.time_to_first_output)
        Execution.objects.filter(pk=self.pk).update(**fields)
