"""Parsing and validating client frames of the /ws/run/ protocol (docs/interfaces.md).

Pure functions: a frame either becomes a typed message or a ProtocolError carrying the
`error` event's code and a sentence that tells the client what to fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from execution.web.run_inputs import BAD_INPUTS, inputs_shape_errors
from graphs.sharing import SHARE_TOKEN_MAX_CHARS

REF_MAX_CHARS = 200
NODE_ID_MAX_CHARS = 200
BREAKPOINTS_MAX = 1000
RESUME_MODES = ("continue", "step")
# Lone surrogates can only arrive as JSON escapes; valid pairs match too and pass the full check.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class ProtocolError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        ref: str | None = None,
        run_id: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref
        self.run_id = run_id
        self.errors = errors  # field -> sentences, as a REST 400's `errors` (bad_inputs)

    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = {"type": "error", "code": self.code, "message": self.message}
        if self.errors is not None:
            event["errors"] = self.errors
        if self.ref is not None:
            event["ref"] = self.ref
        if self.run_id is not None:
            event["run_id"] = self.run_id
        return event


@dataclass(frozen=True)
class RunRequest:
    ref: str | None
    code: str | None = None
    graph: dict[str, Any] | None = None
    graph_id: int | None = None
    # With graph_id: the share token of a graph shared with the user by link (graphs/sharing.py).
    share_token: str | None = None
    # Present for a debug run (docs/debugging.md): the node ids to pause before.
    breakpoints: tuple[str, ...] | None = None
    # A graph run's inputs, name -> JSON value (run_inputs.py checks them against the graph's
    # signature once it is compiled); None: none given.
    inputs: dict[str, Any] | None = None


@dataclass(frozen=True)
class RunControl:
    type: str  # "stdin" | "stdin_eof" | "kill" | "resume" | "breakpoints"
    run_id: str
    data: str = ""  # stdin's text; resume's mode
    nodes: tuple[str, ...] = ()  # breakpoints' node ids


def parse_frame(text: str | None, bytes_data: bytes | None) -> RunRequest | RunControl:
    if text is None:
        raise ProtocolError("bad_message", "Send JSON text frames, not binary frames.")
    if len(text) > settings.WS_MESSAGE_BYTES or len(text.encode()) > settings.WS_MESSAGE_BYTES:
        raise ProtocolError(
            "too_large", f"Message is larger than the {settings.WS_MESSAGE_BYTES} byte limit."
        )
    try:
        content = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_message", f"Message is not valid JSON: {exc}.") from None
    if not isinstance(content, dict):
        raise ProtocolError("bad_message", 'Message must be a JSON object with a "type".')
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(content):
        # Such text cannot be encoded as UTF-8: not as a script, stdin, or in our own replies.
        raise ProtocolError(
            "bad_message", "Message text contains an unpaired surrogate (\\ud800-\\udfff)."
        )
    kind = content.get("type")
    if kind == "run":
        return _parse_run(content)
    if kind in ("stdin", "stdin_eof", "kill", "resume", "breakpoints"):
        return _parse_control(kind, content)
    raise ProtocolError(
        "bad_message",
        f"Unknown message type {str(kind)[:40]!r}: expected run, stdin, stdin_eof, kill,"
        " resume or breakpoints.",
    )


def _has_lone_surrogate(document: Any) -> bool:
    """Any string (key or value) in a parsed document holding an unpaired surrogate."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _parse_run(content: dict[str, Any]) -> RunRequest:
    ref = content.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > REF_MAX_CHARS):
        raise ProtocolError(
            "bad_message", f'"ref" must be a string of at most {REF_MAX_CHARS} characters.'
        )
    given = [key for key in ("code", "graph", "graph_id") if content.get(key) is not None]
    if len(given) != 1:
        raise ProtocolError(
            "bad_message", 'A run needs exactly one of "code", "graph" or "graph_id".', ref=ref
        )
    key = given[0]
    value = content[key]
    breakpoints = _parse_debug(content.get("debug"), key, ref)
    inputs = content.get("inputs")
    shape_errors = inputs_shape_errors(inputs, code_run=key == "code")
    if shape_errors:
        raise ProtocolError(BAD_INPUTS, shape_errors[0], ref=ref, errors={"inputs": shape_errors})
    inputs = inputs or None
    if key == "code":
        if not isinstance(value, str):
            raise ProtocolError("bad_message", '"code" must be a string.', ref=ref)
        if len(value.encode()) > settings.RUN_SCRIPT_BYTES:
            raise ProtocolError(
                "too_large",
                f"Code is larger than the {settings.RUN_SCRIPT_BYTES} byte limit.",
                ref=ref,
            )
        return RunRequest(ref=ref, code=value)
    if key == "graph":
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("nodes", []), list)
            or not isinstance(value.get("edges", []), list)
        ):
            raise ProtocolError(
                "bad_message", '"graph" must be an object with "nodes" and "edges" lists.', ref=ref
            )
        return RunRequest(ref=ref, graph=value, breakpoints=breakpoints, inputs=inputs)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ProtocolError("bad_message", '"graph_id" must be a positive integer.', ref=ref)
    share_token = content.get("share_token")
    if share_token is not None and (
        not isinstance(share_token, str) or not 0 < len(share_token) <= SHARE_TOKEN_MAX_CHARS
    ):
        raise ProtocolError(
            "bad_message",
            f'"share_token" must be a string of at most {SHARE_TOKEN_MAX_CHARS} characters.',
            ref=ref,
        )
    return RunRequest(
        ref=ref, graph_id=value, share_token=share_token, breakpoints=breakpoints, inputs=inputs
    )


def _parse_debug(debug: Any, key: str, ref: str | None) -> tuple[str, ...] | None:
    """A run's `debug` object: None for a plain run, else its breakpoints (node ids)."""
    if debug is None:
        return None
    if key == "code":
        raise ProtocolError(
            "bad_message", 'Only a graph can be debugged: send "graph" or "graph_id".', ref=ref
        )
    if not isinstance(debug, dict):
        raise ProtocolError("bad_message", '"debug" must be an object.', ref=ref)
    return _node_ids(debug.get("breakpoints", []), '"debug.breakpoints"', ref=ref)


def _node_ids(
    value: Any, what: str, ref: str | None = None, run_id: str | None = None
) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or len(value) > BREAKPOINTS_MAX
        or not all(isinstance(n, str) and 0 < len(n) <= NODE_ID_MAX_CHARS for n in value)
    ):
        raise ProtocolError(
            "bad_message",
            f"{what} must be a list of at most {BREAKPOINTS_MAX} node ids.",
            ref=ref,
            run_id=run_id,
        )
    return tuple(dict.fromkeys(value))


def _parse_control(kind: str, content: dict[str, Any]) -> RunControl:
    run_id = content.get("run_id")
    if not isinstance(run_id, str) or not run_id or len(run_id) > 64:
        raise ProtocolError("bad_message", f'"{kind}" needs the "run_id" of one of your runs.')
    if kind == "resume":
        mode = content.get("mode")
        if mode not in RESUME_MODES:
            raise ProtocolError(
                "bad_message", '"resume" needs "mode": "continue" or "step".', run_id=run_id
            )
        return RunControl(type=kind, run_id=run_id, data=mode)
    if kind == "breakpoints":
        nodes = _node_ids(content.get("nodes"), '"nodes"', run_id=run_id)
        return RunControl(type=kind, run_id=run_id, nodes=nodes)
    if kind != "stdin":
        return RunControl(type=kind, run_id=run_id)
    data = content.get("data")
    if not isinstance(data, str):
        raise ProtocolError("bad_message", '"stdin" needs "data", a string.', run_id=run_id)
    if len(data.encode()) > settings.RUN_STDIN_MESSAGE_BYTES:
        raise ProtocolError(
            "too_large",
            f"stdin message is larger than the {settings.RUN_STDIN_MESSAGE_BYTES} byte limit.",
            run_id=run_id,
        )
    return RunControl(type=kind, run_id=run_id, data=data)
