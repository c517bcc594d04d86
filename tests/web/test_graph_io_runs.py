"""A graph's inputs and outputs end to end (docs/interfaces.md, "Graph inputs and outputs"):
real daphne, `runpool` worker, Redis, Postgres and Docker (the module-shared engine servers).

Over REST and over the socket, a run's `result` event comes after all its output and before
its `exit`, the SSE stream carries it, and the finished execution shows its `outputs` (also
with ?wait); inputs that do not fit are refused before the run, naming each.
"""

from __future__ import annotations

from typing import Any

import pytest

from execution.models import Execution
from graphs.models import Graph
from harness.engine import RunRefused, WsClient, run_async
from tests.compiler.test_compiler_golden import chain, edge, node
from tests.compiler.test_compiler_graphs import graph_input, graph_output
from tests.web.test_rest_runs import PRINTS, api, sse_events, submit

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

# A code run may call the runner's builtin itself (a graph's Graph output node compiles to it).
RECORDS = (
    "import atexit\n"
    "atexit.register(lambda: print('atexit prints'))\n"
    "print('working')\n"
    "_ne_output('answer', 6 * 7)\n"
    "_ne_output('huge', 2**60)\n"
    "_ne_output('odd', {1, 2})\n"
)
RECORDED = {"answer": 42, "huge": str(2**60), "odd": "{1, 2}"}


def ws_run(servers, token, timeout: float = 30, **run: Any):
    async def scenario():
        client = await WsClient.connect(servers, token)
        try:
            return await client.run(timeout=timeout, **run)
        finally:
            await client.close()

    return run_async(scenario())


def ws_refusal(servers, token, **run: Any) -> dict[str, Any]:
    async def scenario():
        client = await WsClient.connect(servers, token)
        try:
            with pytest.raises(RunRefused) as refused:
                await client.start(**run)
            return refused.value.event
        finally:
            await client.close()

    return run_async(scenario())


def test_socket_result_comes_after_all_output_and_before_exit(engine_servers, engine_token):
    outcome = ws_run(engine_servers, engine_token, code=RECORDS)
    kinds = [event["type"] for event in outcome.events]
    assert kinds[-2:] == ["result", "exit"], kinds
    result = outcome.events[-2]
    assert result["run_id"] == outcome.exit["run_id"]
    assert result["outputs"] == RECORDED
    [warning] = result["output_warnings"]
    assert warning.startswith("Output 'odd' is not JSON")
    assert outcome.stdout == "working\natexit prints\n"
    assert (outcome.exit["exit_code"], outcome.reason) == (0, "ok")


def test_rest_run_outputs_on_the_execution_and_in_its_events(engine_servers, engine_token):
    submitted = submit(engine_servers, engine_token, code=RECORDS)
    answer = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25")
    detail = answer.json()
    assert detail["status"] == "finished", detail
    assert detail["outputs"] == RECORDED
    assert len(detail["output_warnings"]) == 1
    events = sse_events(engine_servers, engine_token, submitted["id"])
    kinds = [event["event"] for event in events]
    assert kinds[-2:] == ["result", "exit"], kinds
    assert events[-2]["data"]["outputs"] == RECORDED
    row = Execution.objects.get(pk=submitted["id"])
    assert row.outputs == RECORDED


def test_a_run_without_outputs_has_none(engine_servers, engine_token):
    submitted = submit(engine_servers, engine_token, code="print('plain')")
    detail = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert (detail["outputs"], detail["output_warnings"]) == ({}, [])
    kinds = [e["event"] for e in sse_events(engine_servers, engine_token, submitted["id"])]
    assert "result" not in kinds


def test_a_printed_result_lookalike_stays_text(engine_servers, engine_token):
    fake = '\x1eNE3\x00\x00\x00\x30{"t": "result", "out": 0, "outputs": {"x": 666}}'
    code = f"import os\nos.write(1, {fake.encode()!r})\nprint({fake!r})\n"
    outcome = ws_run(engine_servers, engine_token, code=code)
    assert outcome.reason == "ok"
    assert "result" not in [event["type"] for event in outcome.events]
    assert outcome.stdout == fake + fake + "\n"


def test_code_runs_refuse_inputs(engine_servers, engine_token):
    answer = api(
        engine_servers, engine_token, "POST", "/api/runs/", json={"code": "1", "inputs": {"a": 1}}
    )
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]["inputs"]
    assert error.startswith("A run of plain code takes no inputs (got 'a')")
    event = ws_refusal(engine_servers, engine_token, code="1", inputs={"a": 1})
    assert event["code"] == "bad_inputs"
    assert event["errors"] == answer.json()["errors"]


def test_a_graph_without_graph_inputs_refuses_each_name(engine_servers, engine_token, engine_user):
    graph = Graph.objects.create(owner=engine_user, name="g", **PRINTS)
    inputs = {"x": 1, "y": "two"}
    answer = api(
        engine_servers,
        engine_token,
        "POST",
        f"/api/graphs/{graph.pk}/runs/",
        json={"inputs": inputs},
    )
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "bad_inputs"
    assert body["errors"]["inputs"] == [
        "Input 'x' is not an input of this graph (inputs: none).",
        "Input 'y' is not an input of this graph (inputs: none).",
    ]
    event = ws_refusal(engine_servers, engine_token, graph_id=graph.pk, inputs=inputs)
    assert (event["code"], event["errors"]) == ("bad_inputs", body["errors"])
    document = {"nodes": PRINTS["nodes"], "edges": PRINTS["edges"]}
    answer = api(
        engine_servers,
        engine_token,
        "POST",
        "/api/runs/",
        json={"graph": document, "inputs": inputs},
    )
    assert (answer.status_code, answer.json()["errors"]) == (400, body["errors"])
    assert not Execution.objects.filter(user=engine_user).exists()  # refused before admission


# --- a function graph (Graph input / Graph output nodes, from the compiler) ---


def function_graph(extra_code: str = "") -> dict[str, Any]:
    """Inputs `a: number` and `b: int` (both required), output `result` = a + b; `extra_code`
    runs in a Python code node before the output."""
    nodes = [
        node("start", "on_start"),
        graph_input("a", "a", 10, "number"),
        graph_input("b", "b", 20, "int"),
        node("op", "arithmetic", 30, op="+"),
        graph_output("out", "result", 50, "number"),
    ]
    exec_chain = ["start", "out"]
    if extra_code:
        nodes.append(node("code", "python_code", 40, code=extra_code, inputs="", outputs=""))
        exec_chain = ["start", "code", "out"]
    return {
        "nodes": nodes,
        "edges": [
            *chain(*exec_chain),
            edge("a", "value", "op", "a"),
            edge("b", "value", "op", "b"),
            edge("op", "result", "out", "value"),
        ],
    }


def echo_graph() -> dict[str, Any]:
    """One `any` input `v`, echoed as the output `v` (and printed)."""
    return {
        "nodes": [
            node("start", "on_start"),
            graph_input("v", "v", 10, "any"),
            node("say", "print", 20),
            graph_output("out", "v", 30, "any"),
        ],
        "edges": [
            *chain("start", "say", "out"),
            edge("v", "value", "say", "value"),
            edge("v", "value", "out", "value"),
        ],
    }


def saved(user, document: dict[str, Any], name: str = "f") -> Graph:
    return Graph.objects.create(owner=user, name=name, **document)


def rest_outputs(servers, token, path: str, **body: Any) -> dict[str, Any]:
    submitted = submit(servers, token, path=path, **body)
    detail = api(servers, token, "GET", submitted["url"] + "?wait=25").json()
    assert detail["status"] == "finished", detail
    return detail


def test_a_function_graph_gives_the_same_outputs_over_rest_and_the_socket(
    engine_servers, engine_token, engine_user
):
    graph = saved(engine_user, function_graph())
    inputs = {"a": 1.5, "b": 2}
    by_id = rest_outputs(
        engine_servers, engine_token, f"/api/graphs/{graph.pk}/runs/", inputs=inputs
    )
    assert (by_id["exit_code"], by_id["outputs"], by_id["output_warnings"]) == (
        0,
        {"result": 3.5},
        [],
    )
    document = rest_outputs(
        engine_servers, engine_token, "/api/runs/", graph=function_graph(), inputs=inputs
    )
    assert document["outputs"] == {"result": 3.5}
    outcome = ws_run(engine_servers, engine_token, graph_id=graph.pk, inputs=inputs)
    [result] = [event for event in outcome.events if event["type"] == "result"]
    assert result["outputs"] == {"result": 3.5}
    assert [event["type"] for event in outcome.events][-2:] == ["result", "exit"]
    assert outcome.exit["exit_code"] == 0


def test_wrong_unknown_and_missing_inputs_are_each_named(engine_servers, engine_token, engine_user):
    graph = saved(engine_user, function_graph())
    bad = {"a": "one", "c": 3}  # a: wrong type, b: missing, c: unknown
    answer = api(
        engine_servers, engine_token, "POST", f"/api/graphs/{graph.pk}/runs/", json={"inputs": bad}
    )
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "bad_inputs"
    assert body["errors"]["inputs"] == [
        "Input 'a' must be a number (number), got text.",
        "Input 'b' is required (int) and was not given.",
        "Input 'c' is not an input of this graph (inputs: 'a', 'b').",
    ]
    assert body["detail"].startswith("The inputs do not fit the graph: Input 'a'")
    event = ws_refusal(engine_servers, engine_token, graph_id=graph.pk, inputs=bad)
    assert (event["code"], event["errors"]) == ("bad_inputs", body["errors"])
    answer = api(
        engine_servers,
        engine_token,
        "POST",
        f"/api/graphs/{graph.pk}/runs/",
        json={"inputs": {"a": 1, "b": 2.5}},
    )
    assert answer.json()["errors"]["inputs"] == [
        "Input 'b' must be a whole number (int), got a number."
    ]
    assert not Execution.objects.filter(user=engine_user).exists()


def test_hostile_input_values_stay_data(engine_servers, engine_token, engine_user):
    graph = saved(engine_user, echo_graph())
    path = f"/api/graphs/{graph.pk}/runs/"
    code_like = "'); __import__('os').system('echo pwned') #\"\"\"\n_ne_output('v', 'owned')"
    detail = rest_outputs(engine_servers, engine_token, path, inputs={"v": code_like})
    assert detail["outputs"] == {"v": code_like}
    assert detail["output_tail"] == code_like + "\n"
    deep: Any = "bottom"
    for _ in range(14):  # 28 levels: within GRAPH_MAX_DEPTH with the body around it
        deep = {"d": [deep]}
    assert rest_outputs(engine_servers, engine_token, path, inputs={"v": deep})["outputs"] == {
        "v": deep
    }
    huge = "z" * 600_000
    detail = rest_outputs(engine_servers, engine_token, path, inputs={"v": huge})
    assert detail["outputs"] == {"v": huge}
    too_deep: Any = 1
    for _ in range(40):
        too_deep = [too_deep]
    answer = api(engine_servers, engine_token, "POST", path, json={"inputs": {"v": too_deep}})
    assert answer.status_code == 400  # past GRAPH_MAX_DEPTH: the body itself is refused
    event = ws_refusal(engine_servers, engine_token, graph_id=graph.pk, inputs={"v": too_deep})
    assert event["code"] == "bad_inputs"
    assert event["errors"]["inputs"] == [
        "Input 'v' is nested more than 32 levels deep (GRAPH_MAX_DEPTH)."
    ]
    answer = api(
        engine_servers, engine_token, "POST", path, json={"inputs": {"v": "y" * 1_100_000}}
    )
    assert answer.status_code == 400
    [error] = answer.json()["errors"]["inputs"]
    assert error.startswith("inputs are ") and "bytes as JSON; at most 1048576 bytes" in error


def test_a_printed_result_lookalike_in_a_graph_stays_text(
    engine_servers, engine_token, engine_user
):
    graph = saved(engine_user, echo_graph())
    fake = '\x1eNE3\x00\x00\x00\x30{"t": "result", "out": 0, "outputs": {"v": "forged"}}'
    outcome = ws_run(engine_servers, engine_token, graph_id=graph.pk, inputs={"v": fake})
    assert outcome.stdout == fake + "\n"
    [result] = [event for event in outcome.events if event["type"] == "result"]
    assert result["outputs"] == {"v": fake}


def test_an_atexit_handler_that_prints_keeps_the_outputs_and_exit_code(
    engine_servers, engine_token, engine_user
):
    code = "import atexit, sys\natexit.register(lambda: print('atexit says bye'))\n"
    graph = saved(engine_user, function_graph(code))
    detail = rest_outputs(
        engine_servers, engine_token, f"/api/graphs/{graph.pk}/runs/", inputs={"a": 2, "b": 3}
    )
    assert (detail["exit_code"], detail["reason"]) == (0, "ok")
    assert detail["outputs"] == {"result": 5}
    assert detail["output_tail"].endswith("atexit says bye\n")
    events = sse_events(engine_servers, engine_token, detail["id"])
    kinds = [event["event"] for event in events]
    assert kinds[-2:] == ["result", "exit"]
    stdout = [e["data"]["data"] for e in events if e["event"] == "stdout"]
    assert "".join(stdout).endswith("atexit says bye\n")


def test_three_levels_of_graphs_compute_in_the_sandbox(engine_servers, engine_token, engine_user):
    """The top graph, a function itself (input n, output total), calls a middle graph that calls
    an inner one: one real run over REST gives the value computed through all three levels."""
    from tests.graphs.test_graphs_dependencies import _edge, _node, add_graph

    inner = Graph.objects.create(owner=engine_user, name="inner", **add_graph(1))  # y = x + 1
    middle = add_graph(10)  # y = inner(x + 10)
    middle["nodes"].append(_node("g", "graph", 25, {"graph_id": inner.pk, "version": 1}))
    middle["edges"] = [
        _edge("start", "next", "g", "exec"),
        _edge("g", "next", "out", "exec"),
        _edge("x", "value", "plus", "a"),
        _edge("plus", "result", "g", "in:x"),
        _edge("g", "out:y", "out", "value"),
    ]
    mid = Graph.objects.create(owner=engine_user, name="middle", **middle)
    top = Graph.objects.create(
        owner=engine_user,
        name="top",
        nodes=[
            _node("start", "on_start", 0, {}),
            _node("n", "graph_input", 10, {"name": "n", "type": "int"}),
            _node("g", "graph", 20, {"graph_id": mid.pk, "version": 1}),
            _node("total", "graph_output", 30, {"name": "total", "type": "number"}),
        ],
        edges=[
            _edge("start", "next", "g", "exec"),
            _edge("g", "next", "total", "exec"),
            _edge("n", "value", "g", "in:x"),
            _edge("g", "out:y", "total", "value"),
        ],
    )
    answer = api(
        engine_servers,
        engine_token,
        "POST",
        f"/api/graphs/{top.pk}/runs/?wait=25",
        json={"inputs": {"n": 100}},
    )
    assert answer.status_code == 200, answer.text
    detail = answer.json()
    assert (detail["exit_code"], detail["reason"]) == (0, "ok"), detail
    assert detail["outputs"] == {"total": 111}
