"""Why a run ended: every exit reason, once, with its label and the sentence shown to the user.

Everything that names reasons reads them from here: the sandbox's classification
(execution/sandbox/sandbox.py), the Execution row's choices (and so the OpenAPI `ReasonEnum`
and the /api/executions/ filter), the `nodeengine_runs_total{reason}` series of /metrics, and
the `message` of an `exit` event. The values are a contract with clients (the `exit` event's
`reason`, docs/interfaces.md): never rename one. A label is what the admin and the schema's
description show; changing one needs a migration (the model's choices are frozen in them).
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings


class ExitReason(StrEnum):
    # value, label, sentence: a str.format template over `exit_code` and the run limits (see
    # `sentence`).
    OK = "ok", "Ok", "Finished."
    ERROR = "error", "Error", "Exited with code {exit_code}."
    TIMEOUT = (
        "timeout",
        "Timeout",
        "Stopped: the run exceeded its {wall_seconds:g} s time limit.",
    )
    CPU_LIMIT = (
        "cpu_limit",
        "CPU limit",
        "Stopped: the run used up its {cpu_seconds} s of CPU time (a busy loop?).",
    )
    KILLED = "killed", "Killed", "Stopped on request."
    MEMORY = "memory", "Memory", "Stopped: the run exceeded its {memory_mb} MB memory limit."
    OUTPUT_LIMIT = (
        "output_limit",
        "Output Limit",
        "Stopped: the run printed more than {output_bytes} bytes of output.",
    )
    WORKER_LOST = (
        "worker_lost",
        "Worker Lost",
        "The pool worker running this was lost; the run did not finish.",
    )
    PAUSE_LIMIT = (
        "pause_limit",
        "Pause limit",
        "Stopped: the debug run was paused for more than {pause_seconds:g} s in all.",
    )
    # A bad frame on the sandbox's side channel, which carries every run's display frames and
    # a debug run's trace (execution/sandbox/side_channel.py), not only the debugger's.
    SIDE_CHANNEL = (
        "side_channel",
        "Side channel",
        "Stopped: the sandbox's side channel carried something it never sends.",
    )

    label: str
    template: str

    def __new__(cls, value: str, label: str, template: str) -> ExitReason:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.template = template
        return member

    def sentence(self, exit_code: int | None) -> str:
        """The sentence shown to the user for a run that ended for this reason."""
        return self.template.format(
            exit_code=exit_code,
            wall_seconds=settings.RUN_WALL_SECONDS,
            cpu_seconds=settings.RUN_CPU_SECONDS,
            memory_mb=settings.RUN_MEMORY_MB,
            output_bytes=settings.RUN_OUTPUT_BYTES,
            pause_seconds=settings.RUN_PAUSE_SECONDS,
        )


# (value, label) pairs, as Django's `choices` want them.
CHOICES: list[tuple[str, str]] = [(reason.value, reason.label) for reason in ExitReason]


_BY_VALUE: dict[str, ExitReason] = {reason.value: reason for reason in ExitReason}


def exit_message(reason: str, exit_code: int | None) -> str:
    """The sentence shown to the user for a finished run (`reason` as a worker reported it)."""
    known = _BY_VALUE.get(reason)
    return known.sentence(exit_code) if known is not None else f"Finished ({reason})."
