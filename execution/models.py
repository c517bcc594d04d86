"""Execution records: one row per run requested over the WebSocket.

The row is also how the per-user limits hold across web processes: admission and dispatch
happen inside a transaction that locks the user's row, so two sockets of one user on two
daphne processes cannot both take the last slot.

Life of a row: `queued` (admitted; `dispatched_at` set once a pool worker may take it) ->
`running` (a worker said `started`) -> `finished` (exit_code / reason / timings filled in).
Rows left active by a crashed web process stop counting against the user after
`stale_after()` seconds, so a crash never locks a user out for good.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone


class Refused(Exception):
    """The user already has as many runs running and queued as allowed."""


class Execution(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        FINISHED = "finished"

    class Reason(models.TextChoices):
        OK = "ok"
        ERROR = "error"
        TIMEOUT = "timeout"
        KILLED = "killed"
        MEMORY = "memory"
        OUTPUT_LIMIT = "output_limit"
        WORKER_LOST = "worker_lost"

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

    # --- Admission and dispatch (called from the consumer through a worker thread) ---

    @staticmethod
    def stale_after() -> timedelta:
        """How long an unfinished row may count as active: the longest legitimate life of a run."""
        from execution import dispatch

        return timedelta(
            seconds=dispatch.DISPATCH_DEADLINE_SECONDS + settings.RUN_WALL_SECONDS + 120
        )

    @classmethod
    def active_for(cls, user_id: int) -> models.QuerySet[Execution]:
        return cls.objects.filter(
            user_id=user_id,
            status__in=[cls.Status.QUEUED, cls.Status.RUNNING],
            queued_at__gte=timezone.now() - cls.stale_after(),
        )

    @classmethod
    def admit(cls, user: Any, script_sha256: str, graph_id: int | None) -> tuple[Execution, bool]:
        """Create a queued row, or raise Refused. Returns (row, dispatch_now)."""
        with transaction.atomic():
            # Serialises admissions of one user across every web process.
            get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
            active = cls.active_for(user.pk)
            counts = active.aggregate(
                total=models.Count("pk"),
                dispatched=models.Count("pk", filter=models.Q(dispatched_at__isnull=False)),
            )
            if counts["total"] >= settings.RUNS_PER_USER + settings.RUNS_QUEUED_PER_USER:
                raise Refused(
                    f"You already have {counts['total']} runs running or queued "
                    f"(limit {settings.RUNS_PER_USER} running"
                    f" + {settings.RUNS_QUEUED_PER_USER} queued)."
                    " Wait for one to finish."
                )
            now = timezone.now()
            waiting = counts["total"] - counts["dispatched"]
            dispatch_now = counts["dispatched"] < settings.RUNS_PER_USER and waiting == 0
            row = cls.objects.create(
                user=user,
                graph_id=graph_id,
                script_sha256=script_sha256,
                queued_at=now,
                dispatched_at=now if dispatch_now else None,
            )
        return row, dispatch_now

    def try_dispatch(self) -> bool:
        """Take a run slot for this queued row if it is the user's oldest waiting one."""
        with transaction.atomic():
            get_user_model().objects.select_for_update().only("pk").get(pk=self.user_id)
            active = Execution.active_for(self.user_id)
            if active.filter(dispatched_at__isnull=False).count() >= settings.RUNS_PER_USER:
                return False
            oldest = active.filter(dispatched_at__isnull=True).order_by("queued_at", "pk").first()
            if oldest is None or oldest.pk != self.pk:
                return False
            self.dispatched_at = timezone.now()
            Execution.objects.filter(pk=self.pk).update(dispatched_at=self.dispatched_at)
        return True

    def queue_position(self) -> int:
        """How many runs (any user) wait ahead of this one for a pool worker."""
        return Execution.objects.filter(
            status=Execution.Status.QUEUED,
            queued_at__lt=self.queued_at,
            queued_at__gte=timezone.now() - Execution.stale_after(),
        ).count()

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
        Execution.objects.filter(pk=self.pk).update(**fields)
