"""The webhooks' answers (docs/interfaces.md, "Webhooks"). Requests have no serializer: creating
a hook takes no body, and a call's body is the run's inputs, any JSON object."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from execution.serializers import ReasonField
from webhooks.models import Webhook


class WebhookSerializer(serializers.ModelSerializer[Webhook]):
    """A hook as listed: never its token (only its hash is stored)."""

    class Meta:
        model = Webhook
        fields = ["id", "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    url = serializers.URLField(
        help_text="`<origin>/api/hooks/<token>/`: POST a JSON object to it to run the graph. "
        "Shown this once: only the token's hash is stored."
    )
    created_at = serializers.DateTimeField()


class HookResultSerializer(serializers.Serializer[dict[str, Any]]):
    """A hook's run once it has ended."""

    outputs = serializers.DictField(
        child=serializers.JSONField(),
        help_text="The graph's outputs `{name: value}` (its Graph output nodes' last values); "
        "`{}` when it has none.",
    )
    exit_code = serializers.IntegerField(
        allow_null=True, help_text="The script's exit status; null when it did not exit itself."
    )
    reason = ReasonField()
    output_tail = serializers.CharField(
        help_text="The last 64 KiB of what the run printed (stdout and stderr)."
    )


class HookRunningSerializer(serializers.Serializer[dict[str, Any]]):
    """A hook's run that has not ended yet."""

    status = serializers.CharField(help_text='Always "running".')
    poll_url = serializers.CharField(
        help_text="`/api/hooks/<token>/runs/<run id>/`: GET it (optionally with `?wait=`) for "
        "the result."
    )
