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
