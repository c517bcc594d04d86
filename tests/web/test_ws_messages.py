"""Client frame validation for /ws/run/.

Pure logic; the real-socket behaviour is in test_ws_run.py."""

from __future__ import annotations

import json

import pytest

from execution.web.messages import ProtocolError, RunControl, RunRequest, parse_frame


def parse(obj) -> RunRequest | RunControl:
    return parse_frame(json.dumps(obj), None)


def error_of(text, bytes_data=None) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_frame(text, bytes_data)
    return info.value


def test_run_with_code():
    assert parse({"type": "run", "ref": "a", "code": "print(1)"}) == RunRequest(
        ref="a", code="print(1)"
    )


def test_run_with_graph_and_graph_id():
    graph = {"nodes": [], "edges": []}
    assert parse({"type": "run", "graph": graph}).graph == graph
    assert parse({"type": "run", "graph_id": 7}).graph_id == 7


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        json.dumps({"type": "fly"}),
        json.dumps({"no": "type"}),
        json.dumps({"type": "run"}),
        json.dumps({"type": "run", "code": "x", "graph_id": 1}),
        json.dumps({"type": "run", "code": 5}),
        json.dumps({"type": "run", "graph_id": True}),
        json.dumps({"type": "run", "graph_id": "7"}),
        json.dumps({"type": "run", "graph": {"nodes": "x"}}),
        json.dumps({"type": "run", "code": "x", "ref": ["x"]}),
        json.dumps({"type": "stdin", "data": "x"}),
        json.dumps({"type": "stdin", "run_id": "r"}),
        json.dumps({"type": "kill"}),
        "[" * 100_000,
    ],
)
def test_bad_messages(frame):
    error = error_of(frame)
    assert error.code == "bad_message"
    assert error.message


def test_binary_frames_are_refused():
    assert error_of(None, b"{}").code == "bad_message"


def test_too_large(settings):
    settings.WS_MESSAGE_BYTES = 1024
    assert error_of(json.dumps({"type": "run", "code": "x" * 2000})).code == "too_large"


def test_code_over_script_limit(settings):
    settings.RUN_SCRIPT_BYTES = 1024
    error = error_of(json.dumps({"type": "run", "ref": "r", "code": "é" * 600}))
    assert (error.code, error.ref) == ("too_large", "r")


def test_stdin_over_message_limit(settings):
    settings.RUN_STDIN_MESSAGE_BYTES = 10
    error = error_of(json.dumps({"type": "stdin", "run_id": "r", "data": "x" * 11}))
    assert (error.code, error.run_id) == ("too_large", "r")


def test_controls():
    assert parse({"type": "stdin", "run_id": "r", "data": "1\n"}) == RunControl("stdin", "r", "1\n")
    assert parse({"type": "stdin_eof", "run_id": "r"}) == RunControl("stdin_eof", "r")
    assert parse({"type": "kill", "run_id": "r"}) == RunControl("kill", "r")


@pytest.mark.parametrize(
    "frame",
    [
        # json.dumps escapes a lone surrogate as \udXXX; such text cannot become UTF-8 anywhere.
        json.dumps({"type": "run", "ref": "r", "code": "print(1)\ud800"}),
        json.dumps({"type": "run", "ref": "\udc00", "code": "print(1)"}),
        json.dumps({"type": "stdin", "run_id": "r", "data": "\ud83d"}),
        json.dumps({"type": "kill", "run_id": "\ud800"}),
        json.dumps({"type": "run", "graph": {"nodes": [{"id": "\ud800"}], "edges": []}}),
        json.dumps({"type": "run", "graph": {"nodes": [{"\udfff": 1}], "edges": []}}),
    ],
)
def test_lone_surrogates_are_bad_messages_not_crashes(frame):
    error = error_of(frame)
    assert error.code == "bad_message"
    assert "surrogate" in error.message


def test_valid_surrogate_pairs_are_fine():
    # json.dumps sends an emoji as an escaped surrogate pair, which decodes to one character.
    assert parse({"type": "run", "code": "print('😀')"}).code == "print('😀')"
    assert parse({"type": "stdin", "run_id": "r", "data": "😀"}).data == "😀"


def test_a_debug_run_carries_its_breakpoints():
    graph = {"nodes": [], "edges": []}
    request = parse({"type": "run", "graph": graph, "debug": {"breakpoints": ["a", "b", "a"]}})
    assert request.breakpoints == ("a", "b")
    assert parse({"type": "run", "graph_id": 3, "debug": {}}).breakpoints == ()
    assert parse({"type": "run", "graph": graph}).breakpoints is None  # a plain run


def test_resume_and_breakpoints_controls():
    assert parse({"type": "resume", "run_id": "r", "mode": "step"}) == RunControl(
        type="resume", run_id="r", data="step"
    )
    assert parse({"type": "breakpoints", "run_id": "r", "nodes": ["n1"]}) == RunControl(
        type="breakpoints", run_id="r", nodes=("n1",)
    )


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "run", "code": "print(1)", "debug": {}},  # only graphs are debugged
        {"type": "run", "graph_id": 1, "debug": []},
        {"type": "run", "graph_id": 1, "debug": {"breakpoints": "n1"}},
        {"type": "run", "graph_id": 1, "debug": {"breakpoints": [1]}},
        {"type": "run", "graph_id": 1, "debug": {"breakpoints": ["x" * 201]}},
        {"type": "run", "graph_id": 1, "debug": {"breakpoints": ["n"] * 1001}},
        {"type": "resume", "run_id": "r"},
        {"type": "resume", "run_id": "r", "mode": "fast"},
        {"type": "resume", "mode": "step"},
        {"type": "breakpoints", "run_id": "r"},
        {"type": "breakpoints", "run_id": "r", "nodes": [None]},
    ],
)
def test_bad_debug_messages(frame):
    error = error_of(json.dumps(frame))
    assert error.code == "bad_message"
    assert error.message
