"""/ws/run/ against hostile clients, with the real daphne + runpool servers (harness/engine.py)."""

from __future__ import annotations

import json

import pytest
import websockets

from execution.models import Execution
from harness.engine import WsClient, run_async
from harness.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def wait_until_recorded(run_ids, timeout: float = 20) -> None:
    """The server writes each run's row in the background: let those writes land before the
    test ends, so the table flush that follows never races them."""
    wait_until(
        lambda: Execution.objects.filter(pk__in=run_ids, status="finished").count() == len(run_ids),
        timeout,
        f"runs {run_ids} to be recorded as finished",
    )


def test_unpaired_surrogates_are_refused_and_the_socket_keeps_working(engine_servers, engine_token):
    # Each of these used to raise UnicodeEncodeError in the consumer, which closed the socket.
    frames = [
        '{"type": "run", "ref": "r1", "code": "print(1)\\ud800"}',
        '{"type": "run", "ref": "\\udc00", "code": "print(1)"}',
        '{"type": "stdin", "run_id": "x", "data": "\\ud83d"}',
        '{"type": "run", "graph": {"nodes": [{"id": "\\ud800"}], "edges": []}}',
    ]

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            answers = []
            for frame in frames:
                await client.ws.send(frame)
                answers.append(await client.recv(10))
            outcome = await client.run(code="print('still here \\U0001f600')")
            return answers, outcome
        finally:
            await client.close()

    answers, outcome = run_async(scenario())
    assert [(a["type"], a["code"]) for a in answers] == [("error", "bad_message")] * len(frames)
    assert all("surrogate" in a["message"] for a in answers)
    assert outcome.stdout == "still here \U0001f600\n"


def test_a_flood_of_tiny_stdin_frames_arrives_whole(engine_servers, engine_token):
    code = "import sys\ndata = sys.stdin.read()\nprint(len(data), data[:3], data[-3:])\n"

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            run_id = await client.start(code=code)
            for i in range(3000):
                await client.send(type="stdin", run_id=run_id, data=str(i % 10))
                await client.send(type="stdin", run_id=run_id, data="")
            await client.send(type="stdin_eof", run_id=run_id)
            return await client.finish(run_id, timeout=60)
        finally:
            await client.close()

    outcome = run_async(scenario())
    assert outcome.reason == "ok"
    assert outcome.stdout == "3000 012 789\n"
    assert outcome.errors == []


def test_the_token_in_the_query_string_is_not_logged(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            return await client.run(code="print('logged?')")
        finally:
            await client.close()

    assert run_async(scenario()).stdout == "logged?\n"
    logs = engine_servers.log("daphne") + "".join(
        engine_servers.log(name) for name in engine_servers.workers
    )
    assert "WSCONNECT /ws/run/" in logs  # the access log is there, without the query string
    assert engine_token not in logs


def test_a_token_socket_without_origin_is_refused(engine_servers, engine_token):
    async def scenario():
        url = f"{engine_servers.ws_url}?token={engine_token}"
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(url)  # no Origin header at all
        return info.value.response.status_code

    assert run_async(scenario()) == 403


def test_runs_on_another_users_socket_cannot_be_controlled(engine_servers, django_user_model):
    from harness.engine import make_token

    alice = make_token(django_user_model.objects.create_user("alice-h", password="x-pass-1"))
    mallory = make_token(django_user_model.objects.create_user("mallory-h", password="x-pass-2"))
    code = "print(input('? '))"

    async def scenario():
        owner = await WsClient.connect(engine_servers, alice)
        attacker = await WsClient.connect(engine_servers, mallory)
        try:
            run_id = await owner.start(code=code)
            answers = []
            for frame in (
                {"type": "stdin", "run_id": run_id, "data": "injected\n"},
                {"type": "kill", "run_id": run_id},
            ):
                await attacker.ws.send(json.dumps(frame))
                answers.append(await attacker.recv(10))
            await owner.send(type="stdin", run_id=run_id, data="mine\n")
            return answers, await owner.finish(run_id)
        finally:
            await owner.close()
            await attacker.close()

    answers, outcome = run_async(scenario())
    assert [a["code"] for a in answers] == ["not_found", "not_found"]
    assert (outcome.reason, outcome.stdout) == ("ok", "? mine\n")


def test_a_flood_of_run_frames_is_refused_before_any_work(engine_servers, engine_token):
    # Graph runs compile before admission: past the per-user limit, frames must be refused
    # at once (this socket's count), not after compiling each one.
    graph = {
        "nodes": [
            {"id": "s", "type": "on_start", "position": {"x": 0, "y": 0}, "data": {"params": {}}},
            {
                "id": "py",
                "type": "python_code",
                "position": {"x": 100, "y": 0},
                "data": {
                    "params": {"code": "import time\ntime.sleep(60)", "inputs": "", "outputs": ""}
                },
            },
        ],
        "edges": [
            {
                "id": "e",
                "source": "s",
                "sourceHandle": "next",
                "target": "py",
                "targetHandle": "exec",
            },
        ],
    }
    refs = [f"flood{n}" for n in range(30)]

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            for ref in refs:
                await client.send(type="run", ref=ref, graph=graph)
            refused = {}
            while len(refused) + len(client.by_ref) < len(refs):
                event = await client.recv(30)
                if event["type"] == "error" and "run_id" not in event:
                    refused[event["ref"]] = event
            for run_id in list(client.by_ref.values()):
                await client.send(type="kill", run_id=run_id)
            for run_id in list(client.by_ref.values()):
                await client.finish(run_id)
            return refused, dict(client.by_ref)
        finally:
            await client.close()

    refused, accepted = run_async(scenario(), timeout=90)
    wait_until_recorded(list(accepted.values()))
    assert sorted(accepted) == sorted(refs[:10])  # 2 running + 8 queued
    assert sorted(refused) == sorted(refs[10:])
    assert all(e["code"] == "refused" and "connection" in e["message"] for e in refused.values())
