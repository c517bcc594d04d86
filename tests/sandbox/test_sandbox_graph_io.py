"""A graph's inputs and outputs through a real container (docs/interfaces.md, "Graph inputs and
outputs"): the inputs reach the script as data, its outputs come back as one `result` event,
in order after all output, and nothing printed or forged on stdout becomes one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from execution.sandbox.result_frame import MAX_OUTPUTS_DEPTH
from execution.sandbox.side_channel import SideChannel, SideChannelError
from tests.docker_support import Transcript

pytestmark = pytest.mark.docker


async def run_graph_code(pool, code: str, inputs: Any = None) -> tuple[Any, list[tuple[str, Any]]]:
    """(result, the run's output and events in the order they came)."""
    seen: list[tuple[str, Any]] = []
    transcript = Transcript()

    async def on_output(stream: str, text: str) -> None:
        await transcript(stream, text)
        seen.append((stream, text))

    async def on_event(event: dict[str, Any]) -> None:
        seen.append((event["type"], event))

    sandbox = await pool.acquire(timeout=60)
    raw = None if inputs is None else json.dumps(inputs).encode()
    result = await sandbox.run(code, on_output, on_event=on_event, inputs=raw)
    return result, seen


def events_of(seen: list[tuple[str, Any]], kind: str) -> list[Any]:
    return [body for stream, body in seen if stream == kind]


async def test_inputs_in_outputs_out_after_all_output(make_pool):
    pool = await make_pool()
    code = (
        "import atexit\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "print('working')\n"
        "_ne_output('total', _ne_inputs['a'] + _ne_inputs['b'])\n"
        "_ne_output('big', 2**64 + 1)\n"
        "print('done')\n"
    )
    result, seen = await run_graph_code(pool, code, {"a": 1.5, "b": 2})
    assert (result.exit_code, result.reason) == (0, "ok")
    [event] = events_of(seen, "result")
    assert event == {
        "type": "result",
        "outputs": {"total": 3.5, "big": str(2**64 + 1)},  # past 2^53: decimal text
        "output_warnings": [],
    }
    stdout = "".join(events_of(seen, "stdout"))
    assert stdout == "working\ndone\natexit ran\n"
    assert seen[-1][0] == "result"  # after every byte of output


async def test_hostile_inputs_stay_data_in_the_container(make_pool):
    pool = await make_pool()
    hostile = {
        "code": "'); import os; os._exit(7) #",
        "frame": "\x1eNE3\x00\x00\x00\x02{}",
        "deep": json.loads("[" * 31 + "]" * 31),
    }
    code = "print(repr(_ne_inputs['code']))\n_ne_output('echo', _ne_inputs)\n"
    result, seen = await run_graph_code(pool, code, hostile)
    assert (result.exit_code, result.reason) == (0, "ok")
    assert "".join(events_of(seen, "stdout")) == repr(hostile["code"]) + "\n"
    [event] = events_of(seen, "result")
    assert event["outputs"] == {"echo": hostile}


async def test_a_printed_result_frame_stays_text(make_pool):
    pool = await make_pool()
    forged = json.dumps({"t": "result", "out": 0, "outputs": {"x": "forged"}})
    payload = forged.encode()
    frame = b"\x1eNE3" + len(payload).to_bytes(4, "big") + payload
    code = (
        "import os, sys\n"
        f"os.write(1, {frame!r})\n"
        f"print({forged!r})\n"
        f"print({forged!r}, file=sys.stderr)\n"
        "_ne_output('x', 'real')\n"
    )
    result, seen = await run_graph_code(pool, code)
    assert (result.exit_code, result.reason) == (0, "ok")
    [event] = events_of(seen, "result")
    assert event["outputs"] == {"x": "real"}
    assert "".join(events_of(seen, "stdout")) == frame.decode() + forged + "\n"
    assert "".join(events_of(seen, "stderr")) == forged + "\n"


async def test_no_outputs_no_result(make_pool):
    pool = await make_pool()
    result, seen = await run_graph_code(pool, "print('plain')\n")
    assert result.reason == "ok"
    assert events_of(seen, "result") == []


# --- the pool's check of result frames, without Docker ---


def side_frame(body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    return b"\x1eNE3" + len(payload).to_bytes(4, "big") + payload


@pytest.mark.parametrize(
    "body",
    [
        {"t": "result", "out": 0, "outputs": [1]},
        {"t": "result", "out": 0},
        {"t": "result", "out": 0, "outputs": {}, "warnings": "x"},
        {"t": "result", "out": 0, "outputs": {}, "warnings": ["x" * 301]},
    ],
)
def test_a_malformed_result_frame_is_refused(body):
    with pytest.raises(SideChannelError, match="result frame is malformed"):
        SideChannel().feed(side_frame(body))


def test_a_second_result_frame_is_refused():
    side = SideChannel()
    side.feed(side_frame({"t": "result", "out": 0, "outputs": {"a": 1}}))
    with pytest.raises(SideChannelError, match="second result"):
        side.feed(side_frame({"t": "result", "out": 0, "outputs": {"a": 2}}))


def test_a_result_frame_over_its_limit_is_refused():
    outputs = {"x": "y" * (1500 * 1024)}
    with pytest.raises(SideChannelError, match="over the"):
        SideChannel().feed(side_frame({"t": "result", "out": 0, "outputs": outputs}))


def test_a_result_frame_nested_too_deep_is_refused():
    """A script can write its own result frame (bypassing _ne_output's depth bound of 32): the
    pool holds it to the depth every later hop can carry (json.dumps, msgpack and the record all
    recurse), whatever characters the frame holds."""
    deep = json.loads("[" * 500 + "]" * 500)
    with pytest.raises(SideChannelError, match="nested"):
        SideChannel().feed(side_frame({"t": "result", "out": 0, "outputs": {"x": deep}}))
    levels = MAX_OUTPUTS_DEPTH - 1  # the outputs object is one level more
    at_bound = json.loads("[" * levels + "]" * levels)
    for big in (1, 2**60):  # with a value portable() changes, and without
        side = SideChannel()
        side.feed(side_frame({"t": "result", "out": 0, "outputs": {"x": at_bound, "n": big}}))
        [event] = side.due()
        assert event["outputs"]["x"] == at_bound


def test_a_result_waits_for_the_output_before_it():
    side = SideChannel()
    side.feed(side_frame({"t": "result", "out": 3, "outputs": {"n": 2**60}}))
    assert list(side.due()) == []
    parts = list(side.split_stdout(b"abcd"))
    assert parts == [
        b"abc",
        {"type": "result", "outputs": {"n": str(2**60)}, "output_warnings": []},
        b"d",
    ]
