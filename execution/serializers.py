"""Read-only representation of Execution records for /api/executions/."""

from __future__ import annotations

from rest_framework import serializers

from execution.models import Execution


class ExecutionSerializer(serializers.ModelSerializer):
    graph = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Execution
        fields = [
            "id",
            "graph",
            "script_sha256",
            "status",
            "exit_code",
            "reason",
            "message",
            "queued_at",
            "started_at",
            "finished_at",
            "duration_ms",
            "time_to_first_output",
            "output_bytes",
            "worker",
            "node_id",
        ]
        read_only_fields = fields


class ExecutionDetailSerializer(ExecutionSerializer):
    class Meta(ExecutionSerializer.Meta):
        fields = [*ExecutionSerializer.Meta.fields, "output_tail"]
        read_only_fields = fields
