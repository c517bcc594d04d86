"""Debug runs over /ws/run/ (docs/debugging.md), against a real daphne, pool worker, Redis and
Docker sandbox: counts and wire values, breakpoints, stepping, stop, the pause limit, and a script
that attacks the debugger's channel.

The shared servers (harness/engine.py) give a run 5 s of wall time and 6 s of pauses.
"""

# ruff: noqa: ASYNC109

from __future__ import annotations

import time
from typing import Any

import pytest

from harness.engine import WsClient, run_async
from harness.waiting import receive_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def node(node_id: str, kind: str, params: dict[str, Any] | None = None, **inputs: Any) -> dict:
    data: dict[str, Any] = {"params": params or {}}
    if inputs:
        data["inputs"] = inputs
    return {"id": node_id, "type": kind, "position": {"x": 0, "y": 0}, "data": data}


def wire(source: str, out: str, target: str, port: str, edge_id: str | None = None) -> dict:
    return {
        "id": edge_id or f"{source}.{out}->{target}.{port}",
        "source": source,
        "sourceHandle": out,
        "target": target,
        "targetHandle": port,
    }


# total = 0; for i in range(3): total = total + i; print(square(total))  -> prints 9
LOOP_AND_FUNCTION = {
    "nodes": [
        node("def", "function_def", {"name": "square", "parameters": "x"}),
        node("mul", "arithmetic", {"op": "*"}),
        node("ret", "return"),
        node("start", "on_start"),
        node("init", "set_variable", {"name": "total"}, value=0),
        node("loop", "for_range", stop=3),
        node("get", "get_variable", {"name": "total"}),
        node("add", "arithmetic", {"op": "+"}),
        node("acc", "set_variable", {"name": "total"}),
        node("get2", "get_variable", {"name": "total"}),
        node("call", "call_function", {"function": "square", "arguments": "x"}),
        node("print", "print"),
    ],
    "edges": [
        wire("def", "body", "ret", "exec"),
        wire("def", "arg:x", "mul", "a"),
        wire("def", "arg:x", "mul", "b"),
        wire("mul", "result", "ret", "value"),
        wire("start", "next", "init", "exec"),
        wire("init", "next", "loop", "exec"),
        wire("loop", "body", "acc", "exec"),
        wire("get", "value", "add", "a"),
        wire("loop", "index", "add", "b", "index-wire"),
        wire("add", "result", "acc", "value", "sum-wire"),
        wire("loop", "next", "call", "exec"),
        wire("get2", "value", "call", "arg:x"),
        wire("call", "next", "print", "exec"),
        wire("call", "result", "print", "value", "result-wire"),
    ],
}


def merged_trace(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the editor shows after applying every trace event in turn."""
    counts: dict[str, int] = {}
    values: dict[str, str] = {}
    for event in events:
        if event["type"] == "trace":
            counts.update(event["counts"])
            values.update(event["values"])
    return {"counts": counts, "values": values}


async def paused(client: WsClient, run_id: str, after: int, timeout: float = 20) -> dict:
    """The first `paused` event of the run after the first `after` events."""
    return await receive_until(
        lambda: next(
            (e for e in client.events[run_id][after:] if e["type"] in ("paused", "exit")), None
        ),
        client.recv,
        timeout,
        f"run {run_id} to pause (or end) after its first {after} events",
    )


def test_counts_and_wire_values_of_a_run_with_a_loop_and_a_function(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        outcome = await client.run(graph=LOOP_AND_FUNCTION, debug={"breakpoints": []})
        await client.close()
        return outcome

    outcome = run_async(scenario())
    assert outcome.stdout == "9\n"
    assert outcome.reason == "ok"
    shown = merged_trace(outcome.events)
    assert shown["counts"]["acc"] == 3
    assert shown["counts"]["init"] == 1 and shown["counts"]["print"] == 1
    assert shown["counts"]["ret"] == 1  # inside the function
    assert shown["values"]["index-wire"] == "2"  # the last value that went through it
    assert shown["values"]["sum-wire"] == "3"
    assert shown["values"]["result-wire"] == "9"
    # The last trace says nothing runs any more, and comes before the exit.
    traces = [e for e in outcome.events if e["type"] == "trace"]
    assert traces[-1]["current"] is None
    assert outcome.events.index(traces[-1]) < outcome.events.index(outcome.exit)


def test_a_plain_run_of_the_same_graph_sends_no_trace(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        outcome = await client.run(graph=LOOP_AND_FUNCTION)
        await client.close()
        return outcome

    outcome = run_async(scenario())
    assert outcome.stdout == "9\n"
    assert not [e for e in outcome.events if e["type"] in ("trace", "paused")]


def test_breakpoint_step_change_breakpoints_and_continue(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(graph=LOOP_AND_FUNCTION, debug={"breakpoints": ["acc"]})
        first = await paused(client, run_id, 0)
        seen = len(client.events[run_id])
        await client.send(type="resume", run_id=run_id, mode="step")
        second = await paused(client, run_id, seen)
        seen = len(client.events[run_id])
        # Breakpoint moved while paused: from the loop body to the print after the loop.
        await client.send(type="breakpoints", run_id=run_id, nodes=["print"])
        await client.send(type="resume", run_id=run_id, mode="continue")
        third = await paused(client, run_id, seen)
        seen = len(client.events[run_id])
        await client.send(type="resume", run_id=run_id, mode="continue")
        outcome = await client.finish(run_id)
        await client.close()
        return first, second, third, outcome

    first, second, third, outcome = run_async(scenario())
    assert first["type"] == "paused"
    assert (first["node_id"], first["reason"]) == ("acc", "breakpoint")
    total = next(v for v in first["variables"] if v["name"] == "total")
    assert (total["repr"], total["type"], total["scope"]) == ("0", "int", "global")
    # Step: the next node that runs is the loop body's node again, one iteration later.
    assert (second["node_id"], second["reason"]) == ("acc", "step")
    assert next(v["repr"] for v in second["variables"] if v["name"] == "total") == "0"
    assert (third["node_id"], third["reason"]) == ("print", "breakpoint")
    assert next(v["repr"] for v in third["variables"] if v["name"] == "total") == "3"
    # Paused before print ran: its output comes only after the last resume.
    assert outcome.events.index(third) < next(
        i for i, e in enumerate(outcome.events) if e["type"] == "stdout"
    )
    assert outcome.stdout == "9\n" and outcome.reason == "ok"


def test_a_breakpoint_inside_a_function_shows_its_locals(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(graph=LOOP_AND_FUNCTION, debug={"breakpoints": ["ret"]})
        stop = await paused(client, run_id, 0)
        await client.send(type="resume", run_id=run_id, mode="continue")
        outcome = await client.finish(run_id)
        await client.close()
        return stop, outcome

    stop, outcome = run_async(scenario())
    assert stop["node_id"] == "ret"
    scopes = {(v["name"], v["scope"]): v["repr"] for v in stop["variables"]}
    assert scopes[("x", "local")] == "3"
    assert scopes[("total", "global")] == "3"
    assert outcome.stdout == "9\n"


def test_stop_while_paused_kills_the_run(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(graph=LOOP_AND_FUNCTION, debug={"breakpoints": ["acc"]})
        await paused(client, run_id, 0)
        await client.send(type="kill", run_id=run_id)
        outcome = await client.finish(run_id)
        await client.close()
        return outcome

    outcome = run_async(scenario())
    assert outcome.reason == "killed"
    assert outcome.stdout == ""


def test_a_paused_run_does_not_use_its_wall_time_but_ends_at_its_pause_limit(
    engine_servers, engine_token
):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(graph=LOOP_AND_FUNCTION, debug={"breakpoints": ["acc"]})
        await paused(client, run_id, 0)
        outcome = await client.finish(run_id, timeout=30)
        await client.close()
        return outcome

    started = time.monotonic()
    outcome = run_async(scenario())
    # Past the 5 s wall limit while paused, and ended by the 6 s pause limit instead.
    assert outcome.reason == "pause_limit", outcome.exit
    assert "paused" in outcome.exit["message"]
    assert time.monotonic() - started > 5


def test_an_exception_pauses_on_the_failing_node_then_ends(engine_servers, engine_token):
    graph = {
        "nodes": [
            node("start", "on_start"),
            node("init", "set_variable", {"name": "d"}, value=0),
            node("div", "arithmetic", {"op": "/"}, a=1),
            node("get", "get_variable", {"name": "d"}),
            node("print", "print"),
        ],
        "edges": [
            wire("start", "next", "init", "exec"),
            wire("init", "next", "print", "exec"),
            wire("get", "value", "div", "b"),
            wire("div", "result", "print", "value"),
        ],
    }

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(graph=graph, debug={"breakpoints": []})
        stop = await paused(client, run_id, 0)
        await client.send(type="resume", run_id=run_id, mode="continue")
        outcome = await client.finish(run_id)
        await client.close()
        return stop, outcome

    stop, outcome = run_async(scenario())
    assert (stop["type"], stop["reason"], stop["node_id"]) == ("paused", "exception", "print")
    assert {"name": "d", "type": "int", "repr": "0", "scope": "global"} in stop["variables"]
    assert "ZeroDivisionError" in outcome.stderr
    assert outcome.reason == "error"
    assert outcome.exit["node_id"] == "print"


def test_trace_like_text_printed_by_a_script_is_output(engine_servers, engine_token):
    forged = '\x1eNE3\x00\x00\x00\x2c{"t":"trace","out":0,"counts":{"0":999}}'
    graph = {
        "nodes": [node("start", "on_start"), node("print", "print", value=forged)],
        "edges": [wire("start", "next", "print", "exec")],
    }

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        outcome = await client.run(graph=graph, debug={"breakpoints": []})
        await client.close()
        return outcome

    outcome = run_async(scenario())
    assert outcome.stdout == forged + "\n"
    assert outcome.reason == "ok"
    assert merged_trace(outcome.events)["counts"] == {"print": 1}


# Finds the sandbox's side channel (a descriptor that is not stdin or stdout) and writes to it.
CHANNEL_WRITER = """
import os
def link(fd):
    return os.readlink(f"/proc/self/fd/{fd}")
mine = {link(0), link(1)}  # stdin and stdout (pipes under runc, host:[n] under gVisor)
for fd in range(3, 256):
    try:
        if link(fd) not in mine:
            os.write(fd, PAYLOAD)
    except OSError:  # no such descriptor, or a read end (the runner's own stdin)
        pass
print("wrote")
"""


@pytest.mark.parametrize(
    "payload",
    [
        "b'this is not a frame at all'",
        "b'\\x1eNE3' + (10**7).to_bytes(4, 'big') + b'x' * 100",  # oversized
        'b\'\\x1eNE3\\x00\\x00\\x00\\x0e{"t":"trace"}\'',  # a frame of the wrong shape
    ],
)
def test_junk_on_the_debuggers_channel_ends_that_run_and_the_worker_serves_on(
    engine_servers, engine_token, payload
):
    code = CHANNEL_WRITER.replace("PAYLOAD", payload)
    graph = {
        "nodes": [
            node("start", "on_start"),
            node("code", "python_code", {"code": code, "inputs": "", "outputs": ""}),
        ],
        "edges": [wire("start", "next", "code", "exec")],
    }

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        attacked = await client.run(graph=graph, debug={"breakpoints": []})
        after = await client.run(graph=LOOP_AND_FUNCTION, debug={"breakpoints": []})
        await client.close()
        return attacked, after

    attacked, after = run_async(scenario())
    assert attacked.reason == "side_channel", attacked.exit
    assert "side channel" in attacked.exit["message"]
    assert after.reason == "ok" and after.stdout == "9\n"


def test_resume_of_a_plain_run_is_refused(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(code="import time\nprint('up', flush=True)\ntime.sleep(2)\n")
        await client.send(type="resume", run_id=run_id, mode="step")
        error = None
        while error is None:
            event = await client.recv()
            if event["type"] == "error" and event.get("run_id") == run_id:
                error = event
        await client.send(type="kill", run_id=run_id)
        await client.finish(run_id)
        await client.close()
        return error

    error = run_async(scenario())
    assert error["code"] == "bad_message"
    assert "not a debug run" in error["message"]


def test_debug_of_a_code_run_is_refused(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        await client.send(type="run", ref="r1", code="print(1)", debug={})
        event = await client.recv()
        await client.close()
        return event

    event = run_async(scenario())
    assert event["type"] == "error" and event["code"] == "bad_message"
    assert "graph" in event["message"]
