"""A graph's outputs inside the sandbox (docs/interfaces.md, "Graph inputs and outputs"): the
builtin `_ne_output(name, value)` that a compiled `graph_output` node calls, and the one `result`
frame the runner sends on the side channel at the script's end.

Each call records a snapshot of the value (a later change to a list does not change what was
recorded); the last call for a name wins. A value must be JSON: None, a bool, an int, a finite
float, a str, a list or a dict with str keys of those, at most MAX_DEPTH levels deep. Anything
else (a tuple, a set, NaN, an object, a deeper value) is recorded as its `repr` text, with a
warning naming the output. In all the outputs are at most MAX_OUTPUTS_BYTES as compact UTF-8
JSON: going through the outputs in the order they were first recorded, a value that would pass
that total is replaced by null, with a warning (the truncation rule). The warnings travel in the
frame (`warnings`) and end up in the execution's `output_warnings`.

The frame: `{"t": "result", "out": N, "outputs": {name: value}, "warnings": [text]}`, with `out`
the stdout-pipe bytes written before it, as a display frame has. Only the runner writes the side
channel's descriptor: nothing the script prints can become a frame.
"""

from __future__ import annotations

import builtins
import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the runner hands these in: sibling modules never import each other
    from script_output import ScriptOutput
    from side_channel import Channel

MAX_OUTPUTS_BYTES = 1024 * 1024  # all values (and names) as compact UTF-8 JSON
MAX_DEPTH = 32  # nesting of a value; deeper is not JSON here (the pool's own bound is 64)
MAX_WARNING_CHARS = 300
MAX_NAME_CHARS = 200
MAX_OUTPUTS = 1000  # names; a call with a new name past it is dropped with a warning

# Bound now: the script shares these modules and may replace their attributes.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_isfinite = math.isfinite
_repr = repr


def _json_value(value: Any, depth: int = 0) -> Any:
    """`value` as plain JSON data (a fresh copy), or raise _NotJson saying why not."""
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        if not _isfinite(value):
            raise _NotJson(f"{_repr(value)} is not a JSON number")
        return value
    if depth >= MAX_DEPTH:
        raise _NotJson(f"it is nested more than {MAX_DEPTH} levels deep")
    if kind is list:
        return [_json_value(item, depth + 1) for item in value]
    if kind is dict:
        copy = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotJson(f"a dict key {_short_repr(key)} is not text")
            copy[key] = _json_value(item, depth + 1)
        return copy
    raise _NotJson(f"a {kind.__name__} is not JSON")


def _short_repr(value: Any) -> str:
    try:
        text = _repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


class _NotJson(ValueError):
    pass


class GraphOutputs:
    """The outputs one run records, and its result frame."""

    def __init__(self, channel: Channel, output: ScriptOutput) -> None:
        self.channel = channel
        self.output = output
        self.called = False
        self._values: dict[str, Any] = {}  # in the order first recorded
        self._warnings: dict[str, str] = {}  # per name: the last call's warning

    def install(self) -> None:
        # A builtin of the sandbox's own, as `show` is: typeshed's builtins has none.
        builtins._ne_output = self.record  # type: ignore[attr-defined]

    def record(self, name: str, value: Any) -> None:
        """`_ne_output(name, value)`: the output `name` is `value` (the last call wins)."""
        if type(name) is not str or not name or len(name) > MAX_NAME_CHARS:
            raise TypeError(
                f"_ne_output(): the name must be text of 1 to {MAX_NAME_CHARS} characters"
            )
        if name not in self._values and len(self._values) >= MAX_OUTPUTS:
            self._warnings.setdefault(
                "", f"More than {MAX_OUTPUTS} outputs: the later names were dropped."
            )
            return
        self.called = True
        self._warnings.pop(name, None)
        try:
            self._values[name] = _json_value(value)
        except (_NotJson, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, _NotJson) else "it is nested too deeply"
            try:
                text = _repr(value)
            except Exception as repr_error:
                text = f"<{type(value).__name__}: repr() failed: {type(repr_error).__name__}>"
            self._values[name] = text
            self._warn(name, f"Output {name!r} is not JSON ({reason}): it is its repr() instead.")

    def _warn(self, name: str, message: str) -> None:
        self._warnings[name] = message[:MAX_WARNING_CHARS]

    def frame(self) -> dict[str, Any]:
        """The result frame's body (without `out`), with the size rule applied."""
        outputs: dict[str, Any] = {}
        total = 2  # the braces
        for name, value in self._values.items():
            size = len(_encode({name: value}).encode("utf-8", "replace")) - 2 + 1  # + a comma
            if total + size > MAX_OUTPUTS_BYTES:
                value = None
                size = len(_encode({name: None}).encode("utf-8", "replace")) - 2 + 1
                self._warn(
                    name,
                    f"Output {name!r} did not fit: the outputs are at most {MAX_OUTPUTS_BYTES:,}"
                    " bytes of JSON in all; it is null instead.",
                )
            outputs[name] = value
            total += size
        return {"t": "result", "outputs": outputs, "warnings": list(self._warnings.values())}

    def send(self) -> None:
        """At the script's end (runner.end_script): the one result frame, if `_ne_output` was
        called. The output is flushed already; `out` counts it."""
        if not self.called or not self.channel.open:
            return
        frame = self.frame()
        frame["out"] = self.output.bytes_out()
        self.channel.send(frame)
