"""The run's end, as it travels: the worker's `run.exit` on the channel layer and the client's
`exit` event on the socket (docs/interfaces.md). Built here only, so both sides and every path
(a worker's report, a run ended on the web side) say the same thing the same way.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from execution.exit_reasons import exit_message


class RunExit(TypedDict):
    """Worker -> web (channel layer, type `run.exit`)."""

    type: Literal["run.exit"]
    run_id: str
    exit_code: int | None
    reason: str
    duration_ms: int
    output_bytes: int
    error_line: int | None
    message: str


class ExitEvent(TypedDict):
    """Web -> browser (WebSocket `exit`): every run that got a run_id ends with exactly one."""

    type: Literal["exit"]
    run_id: str
    exit_code: int | None
    reason: str
    duration_ms: int
    node_id: str | None
    message: str


def run_exit(
    run_id: str,
    *,
    exit_code: int | None,
    reason: str,
    duration_ms: int,
    output_bytes: int,
    error_line: int | None,
    message: str,
) -> RunExit:
    return {
        "type": "run.exit",
        "run_id": run_id,
        "exit_code": exit_code,
        "reason": reason,
        "duration_ms": duration_ms,
        "output_bytes": output_bytes,
        "error_line": error_line,
        "message": message,
    }


def exit_event(
    run_id: str,
    *,
    exit_code: int | None,
    reason: str,
    message: str,
    duration_ms: int = 0,
    node_id: str | None = None,
) -> ExitEvent:
    return {
        "type": "exit",
        "run_id": run_id,
        "exit_code": exit_code,
        "reason": reason,
        "duration_ms": duration_ms,
        "node_id": node_id,
        "message": message,
    }


def exit_event_from_worker(message: dict[str, Any], source_map: dict[str, str]) -> ExitEvent:
    """The client's `exit` for a worker's `run.exit` (an untrusted dict from the channel layer):
    the failing line becomes the graph node it came from."""
    error_line = message.get("error_line")
    exit_code = message.get("exit_code")
    reason = str(message.get("reason") or "error")
    return exit_event(
        str(message.get("run_id")),
        exit_code=exit_code if isinstance(exit_code, int) else None,
        reason=reason,
        duration_ms=int(message.get("duration_ms") or 0),
        node_id=source_map.get(str(error_line)) if error_line is not None else None,
        message=str(message.get("message") or exit_message(reason, exit_code)),
    )
