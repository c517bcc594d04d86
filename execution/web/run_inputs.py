"""A run's `inputs` (docs/interfaces.md, "Graph inputs and outputs"): checked against the graph's
signature before the run is admitted, then carried to the sandbox as JSON text.

The socket's `run` frame, both REST submit routes and a webhook's body (through the same
start_rest_run) give the inputs as one JSON object, name -> value. Two checks:

* the shape (`inputs_shape_errors`, before anything is compiled): an object; none for a run of
  plain `code` (it has no signature: it reads stdin); at most `WS_MESSAGE_BYTES` as JSON (what
  one socket message may carry) and nested at most `GRAPH_MAX_DEPTH` levels (the REST body's
  own bound), so a hostile value is refused with a sentence before it costs anything;
* against the compiled graph's signature (`validate_inputs`, contract: CompileResult.signature
  `{"inputs": [{"name", "type", "required", "default", "description"}], "outputs": [...]}`):
  every name known, every value fitting its type, every required input given. A value fits by
  the rule for values typed on pins (docs/catalogue.md, graphs.catalogue.model.fits_type) for
  `number`, `float`, `int`, `bool` and `text`; `list` takes a JSON array, `dict` a JSON object,
  `none` only null, and `any` every JSON value. No defaults are applied here: the compiled
  script applies them (an input left out reads its default there).

Each problem is one sentence naming the input, in `errors.inputs` (REST 400, socket `error`
with code `bad_inputs`). The values reach the script as data: json.dumps here, json.loads in
the runner, never source text.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from execution.portable_json import deeper_than
from graphs.catalogue.model import fits_type

BAD_INPUTS = "bad_inputs"
MAX_ERRORS = 50
NAME_SHOWN_CHARS = 60
PIN_TYPES = ("number", "float", "int", "bool", "text")
TYPE_WORDS = {
    "number": "a number",
    "float": "a number",
    "int": "a whole number",
    "bool": "true or false",
    "text": "text",
    "list": "a list (JSON array)",
    "dict": "a dict (JSON object)",
    "none": "null",
}


def inputs_limit_bytes() -> int:
    return int(settings.WS_MESSAGE_BYTES)


def _shown(name: Any) -> str:
    text = str(name)
    return repr(text if len(text) <= NAME_SHOWN_CHARS else text[:NAME_SHOWN_CHARS] + "...")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def encode_inputs(values: dict[str, Any]) -> str:
    """The JSON text the sandbox decodes as `_ne_inputs` (raises ValueError for NaN)."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def inputs_shape_errors(inputs: Any, *, code_run: bool) -> list[str]:
    """What is wrong with `inputs` whatever the graph (None and {} are no inputs)."""
    if inputs is None:
        return []
    if not isinstance(inputs, dict):
        return [f"inputs must be a JSON object of name: value, got {_json_kind(inputs)}."]
    if code_run and inputs:
        names = ", ".join(_shown(name) for name in list(inputs)[:5])
        return [
            f"A run of plain code takes no inputs (got {names}): only a graph with Graph input"
            " nodes has a signature. Give code its data on stdin instead."
        ]
    errors = []
    limit_depth = int(settings.GRAPH_MAX_DEPTH)
    for name, value in inputs.items():
        if deeper_than(value, limit_depth):
            errors.append(
                f"Input {_shown(name)} is nested more than {limit_depth} levels deep"
                " (GRAPH_MAX_DEPTH)."
            )
    if errors:
        return errors[:MAX_ERRORS]
    try:
        size = len(encode_inputs(inputs).encode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        return ["inputs must be JSON: no NaN or Infinity."]
    if size > inputs_limit_bytes():
        return [
            f"inputs are {size} bytes as JSON; at most {inputs_limit_bytes()} bytes"
            " (WS_MESSAGE_BYTES) are accepted."
        ]
    return []


def fits_input_type(value: Any, type_: str) -> bool:
    """Whether `value` (JSON data) suits a graph input of type `type_` (module docstring)."""
    if type_ in PIN_TYPES:
        return fits_type(value, type_)
    if type_ == "list":
        return isinstance(value, list)
    if type_ == "dict":
        return isinstance(value, dict)
    if type_ == "none":
        return value is None
    return True  # any (and a type this side does not know: the compiler reported it)


def validate_inputs(
    signature: dict[str, Any], inputs: dict[str, Any] | None
) -> tuple[dict[str, Any], list[str]]:
    """(the values to send, the errors): every unknown name, wrong type and missing required
    input, one sentence each, in the signature's order then the unknown names'."""
    given = dict(inputs or {})
    declared = [i for i in signature.get("inputs", []) if isinstance(i, dict)]
    errors: list[str] = []
    values: dict[str, Any] = {}
    for spec in declared:
        name, type_ = str(spec.get("name")), str(spec.get("type") or "any")
        if name not in given:
            if spec.get("required"):
                errors.append(f"Input {_shown(name)} is required ({type_}) and was not given.")
            continue
        value = given.pop(name)
        if not fits_input_type(value, type_):
            errors.append(
                f"Input {_shown(name)} must be {TYPE_WORDS.get(type_, type_)} ({type_}),"
                f" got {_json_kind(value)}."
            )
            continue
        values[name] = value
    if given:
        known = ", ".join(_shown(str(spec.get("name"))) for spec in declared) or "none"
        for name in given:
            errors.append(f"Input {_shown(name)} is not an input of this graph (inputs: {known}).")
    return values, errors[:MAX_ERRORS]
