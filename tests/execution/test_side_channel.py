"""The pool's reading of a debug run's side channel: hostile frames end the run, honest ones are
translated to ids and put in order with the script's stdout (pure logic, no sandbox)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import msgpack
import pytest

from execution.debug_table import DebugTable
from execution.sandbox.display_frame import (
    DISPLAY_EVENT_BYTES,
    MAX_DISPLAY_FRAME_BYTES,
    PNG_SIGNATURE,
)
from execution.sandbox.run_clock import RunClock
from execution.sandbox.side_channel import (
    FRAME_MAGIC,
    MAX_HELD_FRAMES,
    MAX_PAYLOAD_BYTES,
    SideChannel,
    SideChannelError,
)

TABLE = DebugTable(
    nodes=("print-1", "loop-2", "set-3"),
    edges=("edge-a", "edge-b"),
    lines=((3, 0), (4, 1)),
    stoppable=frozenset({0, 1, 2}),
    breakpoints=frozenset({1}),
)


def frame(body: dict[str, Any] | bytes) -> bytes:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return FRAME_MAGIC + len(payload).to_bytes(4, "big") + payload


def trace(out: int, **fields: Any) -> dict[str, Any]:
    return {"t": "trace", "out": out, "counts": {}, "values": {}, "current": None, **fields}


def test_a_trace_frame_becomes_the_sockets_event_with_ids() -> None:
    channel = SideChannel(TABLE)
    channel.feed(frame(trace(0, counts={"0": 3, "2": 1}, values={"1": "42"}, current=2)))
    assert list(channel.due()) == [
        {
            "type": "trace",
            "counts": {"print-1": 3, "set-3": 1},
            "values": {"edge-b": "42"},
            "current": "set-3",
        }
    ]


def test_a_frame_waits_for_the_stdout_bytes_written_before_it() -> None:
    channel = SideChannel(TABLE)
    channel.feed(frame(trace(6, counts={"0": 1})))
    assert list(channel.due()) == []  # the 6 bytes have not arrived yet
    pieces = list(channel.split_stdout(b"hello\nworld\n"))
    assert pieces[0] == b"hello\n"
    assert isinstance(pieces[1], dict) and pieces[1]["counts"] == {"print-1": 1}
    assert pieces[2] == b"world\n"


def test_a_frame_cut_in_two_is_read_once_whole() -> None:
    channel = SideChannel(TABLE)
    data = frame(trace(0, counts={"1": 7}))
    channel.feed(data[:5])
    assert list(channel.due()) == []
    channel.feed(data[5:])
    assert [e["counts"] for e in channel.due()] == [{"loop-2": 7}]


def test_paused_carries_node_reason_and_variables() -> None:
    channel = SideChannel(TABLE)
    variables = [{"name": "total", "type": "int", "repr": "10", "scope": "global"}]
    channel.feed(
        frame({"t": "paused", "out": 0, "node": 1, "reason": "breakpoint", "variables": variables})
    )
    (event,) = channel.due()
    assert event == {
        "type": "paused",
        "node_id": "loop-2",
        "reason": "breakpoint",
        "variables": variables,
    }
    assert channel.paused


@pytest.mark.parametrize(
    "junk",
    [
        b"Traceback (most recent call last):\n",  # not a frame at all
        frame(b"{not json"),
        frame({"t": "trace"}),  # no position
        frame({"t": "hello", "out": 0}),
        frame(trace(0, counts={"3": 1})),  # node index out of range
        frame(trace(0, counts={"-1": 1})),
        frame(trace(0, values={"9": "x"})),  # edge out of range
        frame(trace(0, values={"0": "x" * 5000})),
        frame(trace(0, counts={"0": "many"})),
        frame(trace(0, current=99)),
        frame({"t": "paused", "out": 0, "node": 0, "reason": "bored", "variables": []}),
        frame({"t": "paused", "out": 0, "node": 0, "reason": "step", "variables": [{"x": 1}]}),
        frame(
            {
                "t": "paused",
                "out": 0,
                "node": 0,
                "reason": "step",
                "variables": [{"name": "x", "type": "int", "repr": "1", "scope": "global"}] * 201,
            }
        ),
        FRAME_MAGIC + (MAX_DISPLAY_FRAME_BYTES + 1).to_bytes(4, "big"),
        frame(trace(0, values={"0": "x" * 900}) | {"pad": "x" * MAX_PAYLOAD_BYTES}),
        frame(b'{"t": "trace", "out": NaN}'),
    ],
)
def test_anything_else_on_the_channel_is_refused(junk: bytes) -> None:
    channel = SideChannel(TABLE)
    with pytest.raises(SideChannelError):
        channel.feed(junk)
        list(channel.due())


def test_a_second_pause_without_a_resume_is_refused() -> None:
    channel = SideChannel(TABLE)
    paused = {"t": "paused", "out": 0, "node": 0, "reason": "step", "variables": []}
    channel.feed(frame(paused) + frame(paused))
    with pytest.raises(SideChannelError):
        list(channel.due())


def test_frames_far_ahead_of_the_output_go_out_early_not_as_an_attack() -> None:
    channel = SideChannel(TABLE)
    frames = [frame(trace(10**9, counts={"0": n})) for n in range(MAX_HELD_FRAMES + 5)]
    channel.feed(b"".join(frames))  # one read: all of them at once
    # The 5 oldest go out ahead of output that never came; the rest wait, bounded.
    assert [e["counts"]["print-1"] for e in channel.due()] == [0, 1, 2, 3, 4]
    pieces = list(channel.split_stdout(b"x"))
    assert pieces == [b"x"]
    assert len(list(channel.finish())) == MAX_HELD_FRAMES


def test_many_frames_due_at_once_in_one_read_all_go_out() -> None:
    channel = SideChannel()
    table = {"columns": ["i"], "rows": [[1]], "total": 1}
    channel.feed(frame(display(out=0, mime="table", data=table)) * 10_000)
    assert len(list(channel.due())) == 10_000


def test_frames_held_at_the_end_are_released() -> None:
    channel = SideChannel(TABLE)
    channel.feed(frame(trace(500, counts={"0": 1})))
    assert [e["counts"] for e in channel.finish()] == [{"print-1": 1}]


def test_breakpoints_by_id_keep_only_nodes_that_can_pause() -> None:
    table = DebugTable.from_message({**TABLE.to_message(), "stoppable": [0, 2]})
    assert table.node_indices(["set-3", "loop-2", "nobody", "print-1"]) == [0, 2]


@pytest.mark.parametrize(
    "message",
    [
        None,
        {"nodes": "abc", "edges": [], "lines": [], "stoppable": []},
        {"nodes": ["a"], "edges": [], "lines": [[1, 5]], "stoppable": []},
        {"nodes": ["a"], "edges": [], "lines": [], "stoppable": [3]},
    ],
)
def test_a_bad_table_in_a_request_is_refused(message: Any) -> None:
    with pytest.raises(ValueError):
        DebugTable.from_message(message)


def test_the_run_clock_stops_while_paused_and_pause_time_has_its_own_budget() -> None:
    async def scenario() -> tuple[str | None, str | None]:
        never = asyncio.get_running_loop().create_future()
        clock = RunClock(wall_seconds=0.2, pause_seconds=0.3)
        clock.pause()
        # Paused: the 0.2 s wall limit does not ring, the 0.3 s pause budget does.
        paused_limit = await clock.wait(never)
        clock.resume()
        running_limit = await clock.wait(never)
        return paused_limit, running_limit

    assert asyncio.run(scenario()) == ("pause_limit", "timeout")


PNG = PNG_SIGNATURE + b"\x00" * 64


def display(**fields: Any) -> dict[str, Any]:
    return {"t": "display", "out": 0, "line": 3, **fields}


def test_a_plain_run_takes_displays_in_order_with_stdout() -> None:
    channel = SideChannel()  # no debug table
    image = base64.b64encode(PNG).decode()
    table = {"columns": ["a", "b"], "rows": [[1, "x"], [None, 2.5]], "total": 7}
    channel.feed(frame(display(out=3, mime="image/png", data=image)))
    channel.feed(frame(display(out=3, mime="table", data=table, line=None)))
    pieces: list[Any] = list(channel.split_stdout(b"hi\nthere\n"))
    assert pieces[0] == b"hi\n"
    assert pieces[1] == {
        "type": "display",
        "mime": "image/png",
        "data": image,
        "line": 3,
        "bytes": len(image) + 2 + DISPLAY_EVENT_BYTES,  # what is sent: base64 in quotes
    }
    assert pieces[2]["mime"] == "table" and pieces[2]["data"] == table
    assert pieces[3] == b"there\n"


@pytest.mark.parametrize(
    "fields",
    [
        {"mime": "image/png", "data": "not base64!"},
        {"mime": "image/png", "data": base64.b64encode(b"GIF89a" + b"0" * 10).decode()},
        {"mime": "image/png", "data": base64.b64encode(PNG + b"0" * (2 * 1024 * 1024)).decode()},
        {"mime": "text/html", "data": "<script>alert(1)</script>"},
        {"mime": "table", "data": {"columns": ["a"], "rows": [[1, 2]], "total": 1}},
        {"mime": "table", "data": {"columns": ["a"], "rows": [[{"x": 1}]], "total": 1}},
        {"mime": "table", "data": {"columns": ["a"], "rows": [[1]] * 1001, "total": 1001}},
        {"mime": "table", "data": {"columns": ["a"], "rows": [["x" * 201]], "total": 1}},
        {"mime": "table", "data": {"columns": ["a"], "rows": [[1], [2]], "total": 1}},
        {"mime": "table", "data": {"columns": ["a"], "rows": [], "total": 0}, "line": "3"},
        {"mime": "table", "data": {"columns": ["a"], "rows": [], "total": 0}, "line": 2**60},
        {"mime": "table", "data": {"columns": ["a"], "rows": [], "total": 10**30}},
    ],
)
def test_a_bad_display_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(SideChannelError):
        SideChannel().feed(frame(display(**fields)))


def test_a_plain_run_refuses_debug_frames() -> None:
    with pytest.raises(SideChannelError):
        SideChannel().feed(frame(trace(0, counts={"0": 1})))


def test_a_table_counts_what_it_costs_to_send_even_empty_cells() -> None:
    channel = SideChannel()
    empty = {"columns": ["c"] * 50, "rows": [[""] * 50] * 1000, "total": 1000}
    channel.feed(frame(display(mime="table", data=empty)))
    (event,) = channel.due()
    assert event["bytes"] == len(json.dumps(empty, ensure_ascii=False)) + DISPLAY_EVENT_BYTES
    assert event["bytes"] > 50 * 1000 * 4  # '"", ' per cell


def test_any_json_value_a_frame_carries_is_made_to_travel() -> None:
    """Past 64 bits, past 2^53, 1e999 (read as infinity), lone surrogates: each would stop the
    channel layer's msgpack or a browser's JSON.parse."""
    payload = (
        rb'{"t":"display","out":0,"line":1,"mime":"table","data":{"columns":["a","\ud800"],'
        rb'"rows":[[1000000000000000000000000000000,9007199254740993],[1e999,"\udfffz"],'
        rb'[-9007199254740992,-1e999]],"total":3}}'
    )
    channel = SideChannel()
    channel.feed(frame(payload))
    (event,) = channel.due()
    assert event["data"]["columns"] == ["a", "\ufffd"]
    assert event["data"]["rows"] == [
        ["1000000000000000000000000000000", "9007199254740993"],
        ["inf", "\ufffdz"],
        [-9007199254740992, "-inf"],
    ]
    msgpack.unpackb(msgpack.packb(event))  # what channels-redis does with it


def test_trace_values_with_lone_surrogates_travel() -> None:
    channel = SideChannel(TABLE)
    channel.feed(frame(rb'{"t":"trace","out":0,"counts":{},"values":{"0":"\ud83d"},"current":0}'))
    (event,) = channel.due()
    assert event["values"] == {"edge-a": "\ufffd"}
    msgpack.unpackb(msgpack.packb(event))
