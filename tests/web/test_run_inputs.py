"""A run's `inputs`, checked (execution/web/run_inputs.py; docs/interfaces.md, "Graph inputs and
outputs"): against a signature built here, as CompileResult.signature gives it, and in the
socket's `run` frame (messages.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from execution.web.messages import ProtocolError, RunRequest, parse_frame
from execution.web.run_inputs import (
    encode_inputs,
    fits_input_type,
    inputs_shape_errors,
    validate_inputs,
)

SIGNATURE = {
    "inputs": [
        {"name": "a", "type": "number", "required": True, "default": None, "description": ""},
        {"name": "n", "type": "int", "required": True, "default": None, "description": ""},
        {"name": "label", "type": "text", "required": False, "default": "x", "description": ""},
        {"name": "flag", "type": "bool", "required": False, "default": False, "description": ""},
        {"name": "items", "type": "list", "required": False, "default": None, "description": ""},
        {"name": "opts", "type": "dict", "required": False, "default": None, "description": ""},
        {"name": "anything", "type": "any", "required": False, "default": None, "description": ""},
    ],
    "outputs": [{"name": "result", "type": "any"}],
}


def test_fitting_inputs_pass_as_given_without_defaults():
    values, errors = validate_inputs(SIGNATURE, {"a": 1.5, "n": 3, "items": [1], "anything": {}})
    assert errors == []
    assert values == {"a": 1.5, "n": 3, "items": [1], "anything": {}}


def test_each_wrong_unknown_and_missing_input_is_named():
    values, errors = validate_inputs(
        SIGNATURE, {"a": "1", "label": 5, "flag": 1, "items": {}, "opts": [], "zzz": 1}
    )
    assert errors == [
        "Input 'a' must be a number (number), got text.",
        "Input 'n' is required (int) and was not given.",
        "Input 'label' must be text (text), got a number.",
        "Input 'flag' must be true or false (bool), got a number.",
        "Input 'items' must be a list (JSON array) (list), got an object.",
        "Input 'opts' must be a dict (JSON object) (dict), got a list.",
        "Input 'zzz' is not an input of this graph (inputs: 'a', 'n', 'label', 'flag', "
        "'items', 'opts', 'anything').",
    ]
    assert values == {}


@pytest.mark.parametrize(
    ("value", "type_", "fits"),
    [
        (1, "number", True),
        (1.5, "float", True),
        (True, "number", False),  # a boolean is not a number, as on pins
        (2, "int", True),
        (2.0, "int", False),  # a whole number, as on pins
        (2**70, "int", True),
        ("2", "int", False),
        (None, "text", False),
        (None, "none", True),
        (0, "none", False),
        ([1], "any", True),
        (None, "any", True),
    ],
)
def test_the_pin_rule_decides_scalars(value, type_, fits):
    assert fits_input_type(value, type_) is fits


def test_a_graph_without_inputs_takes_none():
    empty = {"inputs": [], "outputs": []}
    assert validate_inputs(empty, {}) == ({}, [])
    assert validate_inputs(empty, None) == ({}, [])
    _, errors = validate_inputs(empty, {"x": 1})
    assert errors == ["Input 'x' is not an input of this graph (inputs: none)."]


def test_code_runs_take_no_inputs():
    assert inputs_shape_errors({}, code_run=True) == []
    assert inputs_shape_errors(None, code_run=True) == []
    [error] = inputs_shape_errors({"x": 1}, code_run=True)
    assert error.startswith("A run of plain code takes no inputs (got 'x')")


def test_inputs_must_be_an_object():
    assert inputs_shape_errors([1], code_run=False) == [
        "inputs must be a JSON object of name: value, got a list."
    ]


def test_deep_and_huge_inputs_are_refused_with_a_sentence(settings):
    settings.GRAPH_MAX_DEPTH = 8
    settings.WS_MESSAGE_BYTES = 2048
    deep: Any = 1
    for _ in range(9):
        deep = [deep]
    assert inputs_shape_errors({"d": deep}, code_run=False) == [
        "Input 'd' is nested more than 8 levels deep (GRAPH_MAX_DEPTH)."
    ]
    [error] = inputs_shape_errors({"s": "x" * 3000}, code_run=False)
    assert error.startswith("inputs are 3008 bytes as JSON; at most 2048 bytes")


def test_values_travel_as_json_text():
    text = encode_inputs({"code": "__import__('os')", "big": 2**80, "s": "é"})
    assert json.loads(text) == {"code": "__import__('os')", "big": 2**80, "s": "é"}


def frame(**run: Any) -> str:
    return json.dumps({"type": "run", "ref": "r1", **run})


def test_the_run_frame_carries_inputs():
    def inputs_of(text: str) -> Any:
        request = parse_frame(text, None)
        assert isinstance(request, RunRequest)
        return request.inputs

    assert inputs_of(frame(graph_id=3, inputs={"a": 1})) == {"a": 1}
    assert inputs_of(frame(graph_id=3, inputs={})) is None
    assert inputs_of(frame(graph_id=3)) is None


@pytest.mark.parametrize(
    ("run", "message"),
    [
        ({"code": "print(1)", "inputs": {"a": 1}}, "A run of plain code takes no inputs"),
        ({"graph_id": 3, "inputs": [1]}, "inputs must be a JSON object"),
        ({"graph": {"nodes": [], "edges": []}, "inputs": "a=1"}, "inputs must be a JSON object"),
    ],
)
def test_bad_inputs_in_a_run_frame_are_a_bad_inputs_error(run, message):
    with pytest.raises(ProtocolError) as caught:
        parse_frame(frame(**run), None)
    event = caught.value.event()
    assert event["code"] == "bad_inputs" and event["ref"] == "r1"
    assert event["message"].startswith(message)
    assert event["errors"]["inputs"][0].startswith(message)
