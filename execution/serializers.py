"""Read-only representation of Execution records for /api/executions/."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from execution import exit_reasons
from execution.models import Execution
from execution.web.run_inputs import inputs_shape_errors
from graphs.sharing_serializers import share_token_field
from nodeengine.api.fields import StrictCharField
from nodeengine.api.schema import ErrorSerializer


class ReasonField(serializers.ChoiceField):
    """The row keeps "" until the run ends; the API says null then ("" is not a reason)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=exit_reasons.CHOICES,
            allow_null=True,
            read_only=True,
            help_text="Why the run ended; null until it has finished.",
            **kwargs,
        )

    # null until the run has finished: narrower stubs say a str.
    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return str(value) if value else None


class ExecutionSerializer(serializers.ModelSerializer[Execution]):
    graph: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    reason = ReasonField()

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
    outputs = serializers.DictField(
        child=serializers.JSONField(),
        read_only=True,
        help_text="A graph run's outputs, name -> JSON value (its Graph output nodes' last "
        "values; integers past 2^53 as decimal text): the `result` event's. {} until the run "
        "has finished, or when it recorded none.",
    )
    output_warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="One sentence per output that was not JSON (sent as its repr) or did not fit "
        "in the 1 MiB of outputs (sent as null).",
    )

    class Meta(ExecutionSerializer.Meta):
        fields = [*ExecutionSerializer.Meta.fields, "output_tail", "outputs", "output_warnings"]
        read_only_fields = fields


# --- Runs submitted over REST (execution/web/run_views.py) ---


class StdinField(StrictCharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            default="",
            help_text="What the script reads from stdin (then end of input); at most "
            "RUN_STDIN_TOTAL_BYTES bytes.",
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if len(text.encode()) > settings.RUN_STDIN_TOTAL_BYTES:
            raise serializers.ValidationError(
                f"stdin is larger than the {settings.RUN_STDIN_TOTAL_BYTES} byte limit."
            )
        return text


# The submit views' request bodies: validated, never given an instance (Any, as the views'
# serializer_class, typed by their model, requires).
class InputsField(serializers.JSONField):
    """A run's `inputs`: a JSON object name -> value, checked against the graph's signature once
    it is compiled (execution/web/run_inputs.py)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            allow_null=True,
            help_text="The graph's inputs, name -> JSON value (see its `signature`): each must "
            "fit its input's type, every required one given, no other name. Not for plain "
            "`code`. At most WS_MESSAGE_BYTES as JSON, GRAPH_MAX_DEPTH levels deep. A bad one "
            "is a 400 whose `errors.inputs` names it (code `bad_inputs`).",
            **kwargs,
        )


# The JSON Schema of `inputs` (an object of any values), for the request bodies.
extend_schema_field({"type": "object", "additionalProperties": {}, "nullable": True})(InputsField)


def _checked_inputs(value: Any, *, code_run: bool) -> Any:
    errors = inputs_shape_errors(value, code_run=code_run)
    if errors:
        raise serializers.ValidationError(errors)
    return value or None


def _checked_inputs_field(value: Any, *, code_run: bool) -> Any:
    """As _checked_inputs, for a check of the whole body: the errors under `inputs`."""
    errors = inputs_shape_errors(value, code_run=code_run)
    if errors:
        raise serializers.ValidationError({"inputs": errors})
    return value or None


class GraphRunSerializer(serializers.Serializer[Any]):
    """POST /api/graphs/{id}/runs/: run a saved graph (yours, in the gallery, or shared)."""

    stdin = StdinField()
    share_token = share_token_field()
    inputs = InputsField()

    def validate_inputs(self, inputs: Any) -> Any:
        return _checked_inputs(inputs, code_run=False)


class RunSerializer(serializers.Serializer[Any]):
    """POST /api/runs/: run Python code, or a graph document, that is not saved."""

    code = StrictCharField(
        required=False, trim_whitespace=False, help_text="Python source (or send `graph`)."
    )
    graph = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="A graph document `{nodes, edges}` (or send `code`); null is the same as absent.",
    )
    stdin = StdinField()
    inputs = InputsField()

    def validate_code(self, code: str) -> str:
        if len(code.encode()) > settings.RUN_SCRIPT_BYTES:
            raise serializers.ValidationError(
                f"Code is larger than the {settings.RUN_SCRIPT_BYTES} byte limit."
            )
        return code

    def validate_graph(self, graph: Any) -> dict[str, Any] | None:
        if graph is None:
            return None
        if (
            not isinstance(graph, dict)
            or not isinstance(graph.get("nodes", []), list)
            or not isinstance(graph.get("edges", []), list)
        ):
            raise serializers.ValidationError('Must be an object with "nodes" and "edges" lists.')
        return graph

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("graph", ...) is None:  # "graph": null next to code: as if absent
            del attrs["graph"]
        if ("code" in attrs) == ("graph" in attrs):
            raise serializers.ValidationError('Send exactly one of "code" or "graph".')
        attrs["inputs"] = _checked_inputs_field(attrs.get("inputs"), code_run="code" in attrs)
        return attrs


class RunSubmittedSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField(help_text="The execution's id.")
    status = serializers.CharField(help_text='Always "queued" here.')
    position = serializers.IntegerField(help_text="Runs of yours ahead of it in the queue.")
    url = serializers.URLField(help_text="GET it (with ?wait=N) for the status and output.")
    events_url = serializers.URLField(help_text="Its events as Server-Sent Events.")


class RunRefusedSerializer(ErrorSerializer):
    """An error answer; a refusal of the run itself also says which (as the socket's `error`)."""

    code = serializers.CharField(
        required=False, help_text="compile_error, too_large, refused, ... (docs/interfaces.md)."
    )
    diagnostics = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="For compile_error: the compiler's diagnostics.",
    )


# The kill view's answer; the view's serializer_class (typed by its model) requires Any.
class KillSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
