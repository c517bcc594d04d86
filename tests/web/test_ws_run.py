"""/ws/run/ against a real daphne, a real `runpool` worker, real Redis, Postgres and Docker.

The servers are shared by the module (see harness/engine.py); RUN_WALL_SECONDS is 5 there.
Assertions are about content and order, never about speed (that is bench/engine.py's job).
"""

from __future__ import annotations

import asyncio
import json
import subprocess

import pytest
import websockets

from execution.models import Execution
from graphs.models import Graph
from harness.engine import RunRefused, WsClient, make_token, run_async
from harness.waiting import receive_until, wait_until, wait_until_async

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

SLEEPER = "import time\nprint('up', flush=True)\ntime.sleep(60)\n"


def run_code(servers, token, code, timeout=30):
    async def scenario():
        client = await WsClient.connect(servers, token)
        try:
            return await client.run(code=code, timeout=timeout)
        finally:
            await client.close()

    return run_async(scenario())


def wait_for_row(run_id: str, timeout: float = 10) -> Execution:
    return wait_until(
        lambda: Execution.objects.filter(pk=run_id, status="finished").first(),
        timeout,
        f"execution {run_id} to be recorded as finished",
    )


def test_hello_world_and_its_record(engine_servers, engine_token, engine_user):
    outcome = run_code(engine_servers, engine_token, "print('hello world')")
    assert outcome.stdout == "hello world\n"
    assert outcome.stderr == ""
    queued, started = outcome.events[0], outcome.events[1]
    assert queued["type"] == "queued" and queued["ref"] and queued["position"] >= 0
    assert started == {"type": "started", "run_id": queued["run_id"]}
    assert outcome.exit["exit_code"] == 0 and outcome.reason == "ok"
    assert outcome.exit["node_id"] is None and outcome.exit["message"]
    row = wait_for_row(queued["run_id"])
    assert row.user == engine_user
    assert (row.reason, row.exit_code, row.output_tail) == ("ok", 0, "hello world\n")
    assert row.output_bytes == len("hello world\n")
    assert row.started_at and row.finished_at and row.worker.startswith("enginetest-")
    assert row.time_to_first_output is not None and row.script_sha256


def test_output_streams_while_the_program_waits(engine_servers, engine_token):
    """Output printed before a pause arrives on its own, before what follows the pause."""
    code = "import time\nprint('before', flush=True)\ntime.sleep(1.5)\nprint('after')\n"

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(code=code)
        seen = ""
        while "before\n" not in seen:
            event = await client.recv()
            if event["type"] in ("stdout", "exit"):
                seen += event.get("data", "<exit>")
        outcome = await client.finish(run_id)
        await client.close()
        return seen, outcome

    seen, outcome = run_async(scenario())
    assert seen == "before\n"  # nothing of what follows the pause came with it
    assert outcome.stdout == "before\nafter\n"


def test_input_round_trip(engine_servers, engine_token):
    code = "name = input('name? ')\nprint('hello', name)\nprint(input())\n"

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(code=code)
        prompt = await client.wait_for(run_id, "stdout")  # the prompt arrives before we answer
        await client.send(type="stdin", run_id=run_id, data="Ada\n")
        await client.send(type="stdin", run_id=run_id, data="second line\n")
        outcome = await client.finish(run_id)
        await client.close()
        return prompt, outcome

    prompt, outcome = run_async(scenario())
    assert prompt["data"].startswith("name? ")
    assert outcome.stdout == "name? hello Ada\nsecond line\n"
    assert outcome.reason == "ok"


def test_stdin_eof_raises_eoferror(engine_servers, engine_token):
    code = "try:\n    input()\nexcept EOFError:\n    print('eof')\n"

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(code=code)
        await client.wait_for(run_id, "started")
        await client.send(type="stdin_eof", run_id=run_id)
        outcome = await client.finish(run_id)
        await client.close()
        return outcome

    assert run_async(scenario()).stdout == "eof\n"


def test_stderr_is_kept_apart(engine_servers, engine_token):
    code = "import sys\nprint('out')\nprint('err', file=sys.stderr)\nprint('out2')\n"
    outcome = run_code(engine_servers, engine_token, code)
    assert outcome.stdout == "out\nout2\n"
    assert outcome.stderr == "err\n"


def test_exit_codes(engine_servers, engine_token):
    outcome = run_code(engine_servers, engine_token, "import sys\nsys.exit(3)")
    assert (outcome.exit["exit_code"], outcome.reason) == (3, "error")
    outcome = run_code(engine_servers, engine_token, "x = 1\nraise ValueError('boom')\n")
    assert (outcome.exit["exit_code"], outcome.reason) == (1, "error")
    assert "ValueError: boom" in outcome.stderr


def test_timeout(engine_servers, engine_token):
    outcome = run_code(
        engine_servers, engine_token, "import time\nwhile True:\n    time.sleep(0.1)\n"
    )
    assert outcome.reason == "timeout"
    assert "time limit" in outcome.exit["message"]


def test_output_limit(engine_servers, engine_token):
    outcome = run_code(engine_servers, engine_token, "while True:\n    print('x' * 1000)\n")
    assert outcome.reason == "output_limit"
    assert 0 < len(outcome.stdout.encode()) <= 1024 * 1024


def test_memory_limit(engine_servers, engine_token):
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n"
    outcome = run_code(engine_servers, engine_token, code)
    assert outcome.reason == "memory"


def test_kill(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(code=SLEEPER)
        await client.wait_for(run_id, "stdout")
        await client.send(type="kill", run_id=run_id)
        outcome = await client.finish(run_id, timeout=10)
        # Killing again, or sending stdin to the finished run, is answered, not fatal.
        await client.send(type="kill", run_id=run_id)
        await client.send(type="stdin", run_id=run_id, data="x\n")
        error = await client.recv(10)
        await client.close()
        return outcome, error

    outcome, error = run_async(scenario())
    assert outcome.reason == "killed"
    assert error["type"] == "error" and error["code"] == "bad_message"


def _containers_named(fragment: str) -> list[str]:
    names = subprocess.run(
        ["docker", "ps", "-a", "--format", "{{.Names}}"], capture_output=True, text=True, check=True
    ).stdout.split()
    return [name for name in names if fragment in name]


def test_disconnect_kills_the_run_and_removes_its_container(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_id = await client.start(code=SLEEPER)
        await client.wait_for(run_id, "stdout")
        # The pool renames a container after the run it serves, just after the start.
        await wait_until_async(
            lambda: asyncio.to_thread(_containers_named, run_id),
            5,
            f"a container named after run {run_id}",
            interval=0.1,
        )
        await client.close()
        await wait_until_async(
            lambda: asyncio.to_thread(lambda: not _containers_named(run_id)),
            10,
            f"run {run_id}'s container to be removed",
            interval=0.1,
        )
        return run_id

    run_id = run_async(scenario())
    assert wait_for_row(run_id).reason == "killed"


def test_anonymous_socket_is_closed_with_4401(engine_servers):
    async def scenario():
        async with websockets.connect(engine_servers.ws_url, origin=engine_servers.origin) as ws:
            with pytest.raises(websockets.ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 10)
            return info.value.rcvd.code

    assert run_async(scenario()) == 4401


def test_bad_token_is_anonymous(engine_servers):
    async def scenario():
        url = f"{engine_servers.ws_url}?token=not-a-token"
        async with websockets.connect(url, origin=engine_servers.origin) as ws:
            with pytest.raises(websockets.ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 10)
            return info.value.rcvd.code

    assert run_async(scenario()) == 4401


def test_cross_origin_socket_is_refused(engine_servers, engine_token):
    async def scenario():
        url = f"{engine_servers.ws_url}?token={engine_token}"
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(url, origin="http://evil.example")
        return info.value.response.status_code

    assert run_async(scenario()) == 403


def test_another_port_of_an_allowed_host_is_refused(engine_servers, engine_token):
    """localhost is an allowed host, but a page on another port is another origin."""

    async def scenario():
        url = f"{engine_servers.ws_url}?token={engine_token}"
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(url, origin="http://127.0.0.1:9")
        return info.value.response.status_code

    assert run_async(scenario()) == 403


def test_bad_messages_are_answered_and_the_socket_stays_open(engine_servers, engine_token):
    frames = [
        ("not json", "bad_message"),
        (json.dumps({"type": "dance"}), "bad_message"),
        (json.dumps({"type": "run"}), "bad_message"),
        (json.dumps({"type": "stdin", "run_id": "nope", "data": "x"}), "not_found"),
        (json.dumps({"type": "run", "code": "x" * (1024 * 1024 + 10)}), "too_large"),
        (json.dumps({"type": "run", "ref": "big", "code": "#" * (300 * 1024)}), "too_large"),
    ]

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        answers = []
        for frame, _ in frames:
            await client.ws.send(frame)
            answers.append(await client.recv(10))
        await client.ws.send(b"\x00binary")
        answers.append(await client.recv(10))
        outcome = await client.run(code="print('still here')")
        await client.close()
        return answers, outcome

    answers, outcome = run_async(scenario())
    assert [a["code"] for a in answers] == [code for _, code in frames] + ["bad_message"]
    assert all(a["type"] == "error" and a["message"] for a in answers)
    assert outcome.stdout == "still here\n"


def test_twenty_runs_at_once(engine_servers, django_user_model):
    tokens = [
        make_token(
            django_user_model.objects.create_user(username=f"many{i}", password="pw-123456789")
        )
        for i in range(4)
    ]

    async def scenario():
        clients = [await WsClient.connect(engine_servers, token) for token in tokens]
        refs: dict[int, list[str]] = {i: [] for i in range(4)}
        for n in range(20):
            code = f"import time\ntime.sleep(0.2)\nprint({n} * 2)"
            await clients[n % 4].send(type="run", ref=f"r{n}", code=code)
            refs[n % 4].append(f"r{n}")
        outcomes = await asyncio.gather(
            *(clients[i].finish_refs(refs[i], timeout=120) for i in range(4))
        )
        for client in clients:
            await client.close()
        return [(int(ref[1:]), outcome) for per in outcomes for ref, outcome in per.items()]

    results = run_async(scenario(), timeout=180)
    assert len(results) == 20
    for n, outcome in results:
        assert outcome.reason == "ok", outcome.exit
        assert outcome.stdout == f"{n * 2}\n"


def test_per_user_limit_queues_then_refuses(engine_servers, engine_token, engine_user):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        run_ids = []
        for n in range(10):
            run_ids.append(await client.start(code=SLEEPER, ref=f"s{n}"))
        with pytest.raises(RunRefused) as refused:
            await client.start(code="print(1)", ref="over")
        # Two run, eight wait: the waiting ones were told a position.
        await client.wait_for(run_ids[0], "started")
        await client.wait_for(run_ids[1], "started")
        waiting = [client.events[r][0] for r in run_ids[2:]]
        started_early = [
            r for r in run_ids[2:] if any(e["type"] == "started" for e in client.events[r])
        ]
        # Killing the first frees a slot: the oldest waiting run starts next.
        await client.send(type="kill", run_id=run_ids[0])
        await client.finish(run_ids[0])
        await client.wait_for(run_ids[2], "started", timeout=20)
        # ...and the runs still waiting are told their new position.
        await receive_until(
            lambda: sum(e["type"] == "queued" for e in client.events[run_ids[9]]) >= 2,
            client.recv,
            10,
            "a second `queued` of the last run (its new position)",
        )
        moved = [e for e in client.events[run_ids[9]] if e["type"] == "queued"]
        for run_id in run_ids[1:]:
            await client.send(type="kill", run_id=run_id)
        for run_id in run_ids[1:]:
            outcome = await client.finish(run_id)
            assert outcome.reason == "killed"
        await client.close()
        return refused.value.event, waiting, started_early, moved

    refused, waiting, started_early, moved = run_async(scenario(), timeout=90)
    assert refused["code"] == "refused" and refused["ref"] == "over"
    assert "limit" in refused["message"]
    assert started_early == []
    assert all(event["type"] == "queued" for event in waiting)
    assert waiting[-1]["position"] >= 7  # runs 2..8 wait ahead of run 9
    assert moved[-1]["position"] < moved[0]["position"]


GRAPH = {
    "nodes": [
        {"id": "start", "type": "on_start", "position": {"x": 0, "y": 0}, "data": {"params": {}}},
        {
            "id": "boom",
            "type": "python_code",
            "position": {"x": 200, "y": 0},
            "data": {
                "params": {
                    "code": "print('from graph')\nraise ValueError('boom')\n",
                    "inputs": "",
                    "outputs": "",
                }
            },
        },
    ],
    "edges": [
        {
            "id": "e1",
            "source": "start",
            "sourceHandle": "next",
            "target": "boom",
            "targetHandle": "exec",
        }
    ],
}


def test_graph_run_reports_the_failing_node(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        outcome = await client.run(graph=GRAPH)
        await client.close()
        return outcome

    outcome = run_async(scenario())
    assert outcome.stdout == "from graph\n"
    assert outcome.reason == "error"
    assert outcome.exit["node_id"] == "boom"


def test_graph_id_run_and_another_users_graph(
    engine_servers, engine_token, engine_user, django_user_model
):
    mine = Graph.objects.create(
        owner=engine_user, name="mine", nodes=GRAPH["nodes"], edges=GRAPH["edges"]
    )
    stranger = django_user_model.objects.create_user(username="stranger", password="pw-123456789")
    theirs = Graph.objects.create(
        owner=stranger, name="theirs", nodes=GRAPH["nodes"], edges=GRAPH["edges"]
    )

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        outcome = await client.run(graph_id=mine.pk)
        with pytest.raises(RunRefused) as refused:
            await client.start(graph_id=theirs.pk)
        await client.close()
        return outcome, refused.value.event

    outcome, refused = run_async(scenario())
    assert outcome.stdout == "from graph\n"
    assert outcome.exit["node_id"] == "boom"
    assert refused["code"] == "not_found"
    row = wait_for_row(outcome.exit["run_id"])
    assert row.graph_id == mine.pk and row.node_id == "boom"


def test_compile_errors_are_reported_with_diagnostics(engine_servers, engine_token):
    graph = {
        "nodes": [
            {
                "id": "x",
                "type": "no_such_node",
                "position": {"x": 0, "y": 0},
                "data": {"params": {}},
            }
        ],
        "edges": [],
    }

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        with pytest.raises(RunRefused) as refused:
            await client.start(graph=graph, ref="bad-graph")
        await client.close()
        return refused.value.event

    event = run_async(scenario())
    assert event["code"] == "compile_error" and event["ref"] == "bad-graph"
    assert any(d["severity"] == "error" for d in event["diagnostics"])
