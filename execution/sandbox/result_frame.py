"""A graph's `result` frame from the sandbox's side channel, checked (docs/interfaces.md, "Graph
inputs and outputs").

The runner sends one at the script's end, when the script recorded outputs with `_ne_output`
(sandbox_image/graph_outputs.py): `{"t": "result", "out": N, "outputs": {name: value},
"warnings": [text]}`. A script could write such a frame to the side channel itself; it would
only misreport its own run's outputs (which `_ne_output` lets it set anyway), so the frame is
held to the runner's own bounds and nothing more: outputs an object of JSON values (made
portable by the side channel: integers past 2^53 become decimal text), at most
MAX_RESULT_FRAME_BYTES in all, warnings a short list of short texts. Only the side channel's
descriptor carries frames: nothing a script prints becomes one.
"""

from __future__ import annotations

from typing import Any

from execution.portable_json import MAX_DEPTH, deeper_than

# The runner's outputs are at most 1 MiB of JSON; the rest is the frame around them and the
# warnings (at most one per output name, each short).
MAX_OUTPUTS_BYTES = 1024 * 1024
MAX_RESULT_FRAME_BYTES = MAX_OUTPUTS_BYTES + 400 * 1024
MAX_WARNINGS = 1001
MAX_WARNING_CHARS = 300
# Nesting of the outputs object (its values one level in): the depth portable_json.py allows,
# which it counts from the event, one level above the outputs. The runner's values are at most 32
# deep; a frame the script wrote itself may be as deep as json.loads allows (about 1000), which
# later hops (json.dumps deeper in a stack, msgpack, the record's NUL scrub) cannot all carry, and
# portable() checks depth only for frames that may hold values it must change.
MAX_OUTPUTS_DEPTH = MAX_DEPTH - 1


def result_event(frame: dict[str, Any]) -> dict[str, Any]:
    """The `result` event (without run_id); ValueError saying what is wrong."""
    outputs, warnings = frame.get("outputs"), frame.get("warnings", [])
    if not isinstance(outputs, dict):
        raise ValueError("its outputs are not an object")
    if deeper_than(outputs, MAX_OUTPUTS_DEPTH):
        raise ValueError(f"its outputs are nested more than {MAX_OUTPUTS_DEPTH} levels deep")
    if (
        not isinstance(warnings, list)
        or len(warnings) > MAX_WARNINGS
        or not all(isinstance(w, str) and len(w) <= MAX_WARNING_CHARS for w in warnings)
    ):
        raise ValueError("its warnings are not a short list of short texts")
    return {"type": "result", "outputs": outputs, "output_warnings": warnings}
