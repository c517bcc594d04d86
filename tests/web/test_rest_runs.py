"""Runs over REST against a real daphne, `runpool` worker, Redis, Postgres and Docker.

POST /api/runs/ and /api/graphs/{id}/runs/, GET /api/executions/{id}/?wait= and .../events/
(Server-Sent Events), each with an owner / other user / anonymous check. The servers are the
module-shared engine servers (harness/engine.py; RUN_WALL_SECONDS is 5 there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from execution.models import Execution
from graphs.models import Graph
from harness.engine import RunRefused, WsClient, make_token, run_async
from tests.engine_fixtures import wait_until_records_settle

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

PRINTS = {
    "nodes": [
        {"id": "start", "type": "on_start", "position": {"x": 0, "y": 0}, "data": {"params": {}}},
        {
            "id": "say",
            "type": "python_code",
            "position": {"x": 200, "y": 0},
            "data": {"params": {"code": "print('from the graph')\n", "inputs": "", "outputs": ""}},
        },
    ],
    "edges": [
        {
            "id": "e1",
            "source": "start",
            "sourceHandle": "next",
            "target": "say",
            "targetHandle": "exec",
        }
    ],
}


def api(servers, token: str | None, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Token {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    url = path if path.startswith("http") else servers.origin + path
    return requests.request(
        method, url, headers=headers, timeout=kwargs.pop("timeout", 40), **kwargs
    )


def submit(servers, token, path="/api/runs/", **body: Any) -> dict[str, Any]:
    answer = api(servers, token, "POST", path, json=body)
    assert answer.status_code == 202, answer.text
    return answer.json()


def sse_events(servers, token, run_id: str, last_id: str | None = None) -> list[dict[str, Any]]:
    """Read the run's event stream to its end: each event as {"id", "event", "data"}."""
    headers = {"Accept": "text/event-stream"}
    if last_id is not None:
        headers["Last-Event-ID"] = last_id
    answer = api(
        servers, token, "GET", f"/api/executions/{run_id}/events/", headers=headers, stream=True
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in _text_lines(answer):
        if line.startswith(":"):
            continue
        if not line:
            if current:
                events.append(current)
                current = {}
            continue
        field, _, value = line.partition(": ")
        current[field] = json.loads(value) if field == "data" else value
    return events


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user(username="stranger", password="pw-123456789")


def test_submit_then_wait_reads_the_result(engine_servers, engine_token, engine_user):
    submitted = submit(
        engine_servers, engine_token, code="name = input()\nprint('hi ' + name * 2)", stdin="ab\n"
    )
    assert submitted["status"] == "queued" and submitted["position"] >= 0
    assert submitted["url"].endswith(f"/api/executions/{submitted['id']}/")
    answer = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25")
    assert answer.status_code == 200
    result = answer.json()
    assert result["status"] == "finished", result
    assert (result["exit_code"], result["reason"]) == (0, "ok")
    assert result["output_tail"] == "hi abab\n"
    assert result["duration_ms"] is not None and result["started_at"]
    row = Execution.objects.get(pk=submitted["id"])
    assert row.user == engine_user and row.graph_id is None


def test_submit_with_wait_answers_the_finished_run(engine_servers, engine_token, engine_user):
    """One request for a short run: 200 with the detail GET would give, written before the
    answer (the record is final), and exactly its exit code after an atexit handler."""
    code = "import atexit\natexit.register(lambda: print('bye'))\nprint('hi')\nraise SystemExit(3)"
    answer = api(engine_servers, engine_token, "POST", "/api/runs/?wait=25", json={"code": code})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["status"], result["exit_code"], result["reason"]) == ("finished", 3, "error")
    assert result["output_tail"] == "hi\nbye\n"
    assert answer.headers["Location"].endswith(f"/api/executions/{result['id']}/")
    detail = api(engine_servers, engine_token, "GET", f"/api/executions/{result['id']}/")
    assert detail.json() == result
    assert Execution.objects.get(pk=result["id"]).user == engine_user


def test_submit_with_a_short_wait_answers_202_while_it_runs(engine_servers, engine_token):
    answer = api(
        engine_servers,
        engine_token,
        "POST",
        "/api/runs/?wait=0.2",
        json={"code": "import time\ntime.sleep(3)\nprint('late')"},
    )
    assert answer.status_code == 202, answer.text
    submitted = answer.json()
    assert submitted["status"] == "queued"
    result = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert (result["status"], result["output_tail"]) == ("finished", "late\n")


def test_a_saved_graph_submitted_with_wait(engine_servers, engine_token, engine_user):
    graph = Graph.objects.create(owner=engine_user, name="prints", **PRINTS)
    answer = api(
        engine_servers, engine_token, "POST", f"/api/graphs/{graph.pk}/runs/?wait=25", json={}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["output_tail"] == "from the graph\n"


@pytest.mark.parametrize("wait", ["31", "-1", "soon", "nan"])
def test_a_bad_wait_on_submit_is_a_400_and_no_run(engine_servers, engine_token, engine_user, wait):
    before = Execution.objects.filter(user=engine_user).count()
    answer = api(
        engine_servers, engine_token, "POST", f"/api/runs/?wait={wait}", json={"code": "print(1)"}
    )
    assert answer.status_code == 400 and "wait" in answer.json()["errors"]
    assert Execution.objects.filter(user=engine_user).count() == before


def test_input_past_the_given_stdin_sees_the_end_of_input(engine_servers, engine_token):
    submitted = submit(engine_servers, engine_token, code="print(input())\ninput()\n", stdin="one")
    result = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert result["reason"] == "error"
    assert result["output_tail"].startswith("one\n") and "EOFError" in result["output_tail"]


def test_a_graph_run_streams_its_events(engine_servers, engine_token, engine_user):
    graph = Graph.objects.create(owner=engine_user, name="g", **PRINTS)
    submitted = submit(engine_servers, engine_token, path=f"/api/graphs/{graph.pk}/runs/")
    events = sse_events(engine_servers, engine_token, submitted["id"])
    kinds = [event["event"] for event in events]
    assert kinds[0] == "queued" and kinds[-1] == "exit" and "started" in kinds
    assert kinds.index("started") < kinds.index("stdout") < kinds.index("exit")
    stdout = "".join(e["data"]["data"] for e in events if e["event"] == "stdout")
    assert stdout == "from the graph\n"
    assert events[-1]["data"]["reason"] == "ok" and events[-1]["data"]["run_id"] == submitted["id"]
    assert Execution.objects.get(pk=submitted["id"]).graph_id == graph.pk
    # Resuming after an event replays only what followed it.
    resumed = sse_events(engine_servers, engine_token, submitted["id"], last_id=events[1]["id"])
    assert [e["id"] for e in resumed] == [e["id"] for e in events[2:]]


def test_the_events_of_a_socket_run_are_its_exit(engine_servers, engine_token):
    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        outcome = await client.run(code="print('by socket')")
        await client.close()
        return outcome

    outcome = run_async(scenario())
    run_id = outcome.exit["run_id"]
    assert api(engine_servers, engine_token, "GET", f"/api/executions/{run_id}/?wait=10").ok
    events = sse_events(engine_servers, engine_token, run_id)
    assert [e["event"] for e in events] == ["exit"]
    assert events[0]["data"]["reason"] == "ok"
    # Its exit (from the record) has an id too: resuming after it is the end of the stream.
    assert resumed(engine_servers, engine_token, run_id, events[0]["id"]).status_code == 204


def resumed(servers, token, run_id: str, last_id: str) -> requests.Response:
    headers = {"Accept": "text/event-stream", "Last-Event-ID": last_id}
    return api(servers, token, "GET", f"/api/executions/{run_id}/events/", headers=headers)


def test_a_stream_resumed_after_its_exit_answers_204(engine_servers, engine_token):
    """An EventSource reconnects by itself when a stream closes: after the exit it must be
    told (204) that nothing more comes, not handed a second exit 15 s later."""
    submitted = submit(engine_servers, engine_token, code="print('once')")
    events = sse_events(engine_servers, engine_token, submitted["id"])
    assert events[-1]["event"] == "exit"
    answer = resumed(engine_servers, engine_token, submitted["id"], events[-1]["id"])
    assert answer.status_code == 204 and answer.content == b""
    # Resuming from an earlier event gives the rest, up to the exit, once.
    rest = sse_events(engine_servers, engine_token, submitted["id"], last_id=events[0]["id"])
    assert rest == events[1:]


def test_graph_null_next_to_code_is_as_if_absent(engine_servers, engine_token):
    submitted = submit(engine_servers, engine_token, code="print('no graph')", graph=None)
    result = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert (result["reason"], result["output_tail"]) == ("ok", "no graph\n")


def test_a_graph_that_does_not_compile_is_a_400_and_no_run(engine_servers, engine_token):
    broken = {"nodes": [{"id": "x", "type": "no.such.node", "position": {"x": 0, "y": 0}}]}
    answer = api(engine_servers, engine_token, "POST", "/api/runs/", json={"graph": broken})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "compile_error" and body["diagnostics"]
    assert not Execution.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": "print(1)", "graph": PRINTS},
        {"code": 5},
        {"code": "print(1)", "stdin": ["not", "text"]},
        {"graph": [1, 2]},
    ],
)
def test_bad_bodies_are_400s(engine_servers, engine_token, body):
    answer = api(engine_servers, engine_token, "POST", "/api/runs/", json=body)
    assert answer.status_code == 400, answer.text
    assert not Execution.objects.exists()


def test_stdin_over_the_limit_is_refused(engine_servers, engine_token, settings):
    too_much = "x" * (settings.RUN_STDIN_TOTAL_BYTES + 1)
    answer = api(
        engine_servers, engine_token, "POST", "/api/runs/", json={"code": "1", "stdin": too_much}
    )
    assert answer.status_code == 400 and "stdin" in answer.json()["errors"]


@pytest.mark.parametrize("wait", ["31", "-1", "soon", "nan"])
def test_a_bad_wait_is_a_400(engine_servers, engine_token, wait):
    submitted = submit(engine_servers, engine_token, code="print(1)")
    answer = api(engine_servers, engine_token, "GET", f"{submitted['url']}?wait={wait}")
    assert answer.status_code == 400 and "wait" in answer.json()["errors"]


def test_a_full_queue_answers_429_with_retry_after(engine_servers, engine_token):
    """The user's slots are filled over a socket; a REST run is refused, as a socket run is."""

    async def scenario():
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            for index in range(10):  # 2 running + 8 queued: the test servers' limits
                await client.start(ref=f"r{index}", code="import time\ntime.sleep(60)")
            return await _asyncio_post(engine_servers, engine_token)
        finally:
            await client.close()  # ends the sleepers

    answer = run_async(scenario())
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["code"] == "refused"


async def _asyncio_post(servers, token) -> requests.Response:
    import asyncio

    return await asyncio.to_thread(
        api, servers, token, "POST", "/api/runs/", json={"code": "print(1)"}
    )


def test_anonymous_and_other_users(engine_servers, engine_token, engine_user, stranger):
    submitted = submit(engine_servers, engine_token, code="print('mine')")
    theirs = make_token(stranger)
    for path in (submitted["url"] + "?wait=5", f"/api/executions/{submitted['id']}/events/"):
        assert api(engine_servers, None, "GET", path).status_code == 401
        assert api(engine_servers, theirs, "GET", path).status_code == 404
    assert api(engine_servers, None, "POST", "/api/runs/", json={"code": "1"}).status_code == 401
    private = Graph.objects.create(owner=engine_user, name="private", **PRINTS)
    path = f"/api/graphs/{private.pk}/runs/"
    assert api(engine_servers, None, "POST", path, json={}).status_code == 401
    assert api(engine_servers, theirs, "POST", path, json={}).status_code == 404
    assert not Execution.objects.filter(user=stranger).exists()


def test_a_shared_graph_runs_under_the_readers_account(
    engine_servers, engine_token, engine_user, stranger
):
    graph = Graph.objects.create(owner=stranger, name="shared", **PRINTS)
    graph.share()
    path = f"/api/graphs/{graph.pk}/runs/"
    without = api(engine_servers, engine_token, "POST", path, json={})
    assert without.status_code == 404
    submitted = submit(engine_servers, engine_token, path=path, share_token=graph.share_token)
    result = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert result["output_tail"] == "from the graph\n"
    row = Execution.objects.get(pk=submitted["id"])
    assert row.user == engine_user and row.graph_id == graph.pk
    # The owner does not see the reader's run; a revoked link runs nothing more.
    owner_token = make_token(stranger)
    assert api(engine_servers, owner_token, "GET", f"/api/executions/{row.pk}/").status_code == 404
    old_token = graph.share_token
    graph.revoke_share()
    revoked = api(engine_servers, engine_token, "POST", path, json={"share_token": old_token})
    assert revoked.status_code == 404


def test_a_gallery_graph_runs_without_a_token(engine_servers, engine_token, stranger):
    graph = Graph.objects.create(owner=stranger, name="listed", **PRINTS)
    graph.publish("Hello", "prints a line")
    submitted = submit(engine_servers, engine_token, path=f"/api/graphs/{graph.pk}/runs/")
    result = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert result["output_tail"] == "from the graph\n"


def test_socket_graph_id_runs_of_shared_graphs(engine_servers, engine_user, engine_token, stranger):
    graph = Graph.objects.create(owner=stranger, name="shared", **PRINTS)
    graph.share()

    async def scenario(**run: Any) -> Any:
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            run_id = await client.start(graph_id=graph.pk, **run)
            return await client.finish(run_id)
        finally:
            await client.close()

    token = str(graph.share_token)
    outcome = run_async(scenario(share_token=token))
    assert outcome.stdout == "from the graph\n"
    # A socket run's record is written in the background: the `exit` may reach the client first.
    wait_until_records_settle(engine_user)
    row = Execution.objects.get(pk=outcome.exit["run_id"])
    assert row.user.username == "runner" and row.graph_id == graph.pk
    graph.revoke_share()
    for wrong in ({}, {"share_token": "not-the-token"}, {"share_token": token}):
        with pytest.raises(RunRefused) as refused:
            run_async(scenario(**wrong))
        assert refused.value.event["code"] == "not_found"


def test_a_rest_run_can_be_stopped(engine_servers, engine_token, stranger):
    submitted = submit(
        engine_servers, engine_token, code="import time\nprint('up', flush=True)\ntime.sleep(60)"
    )
    kill = f"/api/executions/{submitted['id']}/kill/"
    assert api(engine_servers, make_token(stranger), "POST", kill).status_code == 404
    assert api(engine_servers, None, "POST", kill).status_code == 401
    for event in sse_events_until(engine_servers, engine_token, submitted["id"], "stdout"):
        assert event["event"] != "exit"
    assert api(engine_servers, engine_token, "POST", kill).status_code == 202
    result = api(engine_servers, engine_token, "GET", submitted["url"] + "?wait=25").json()
    assert (result["status"], result["reason"]) == ("finished", "killed")
    assert result["output_tail"] == "up\n"
    again = api(engine_servers, engine_token, "POST", kill)
    assert again.status_code == 409


def _text_lines(answer: requests.Response) -> Iterator[str]:
    """The answer's lines as text (decode_unicode; the stubs say bytes)."""
    yield from answer.iter_lines(decode_unicode=True)  # type: ignore[misc]  # str, decoded


def sse_events_until(servers, token, run_id: str, kind: str) -> list[dict[str, Any]]:
    """The run's events up to the first of type `kind` (the stream is then dropped)."""
    answer = api(servers, token, "GET", f"/api/executions/{run_id}/events/", stream=True)
    seen: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in _text_lines(answer):
        if line and not line.startswith(":"):
            field, _, value = line.partition(": ")
            current[field] = value
        elif not line and current:
            seen.append(current)
            if current.get("event") == kind:
                break
            current = {}
    answer.close()
    return seen


def test_embedded_mode_runs_over_rest(django_db_setup, engine_user, engine_token):
    """Without REDIS_URL (`make run`): the pool in daphne, the event log in memory."""
    from django.conf import settings

    from harness.engine import Servers

    servers = Servers.create(settings.DATABASES["default"], None, POOL_SIZE="1")
    try:
        servers.start_daphne()
        submitted = submit(servers, engine_token, code="print(input()[::-1])", stdin="olleh")
        result = api(servers, engine_token, "GET", submitted["url"] + "?wait=30").json()
        assert (result["status"], result["output_tail"]) == ("finished", "hello\n")
        kinds = [e["event"] for e in sse_events(servers, engine_token, submitted["id"])]
        assert kinds[0] == "queued" and kinds[-1] == "exit" and "stdout" in kinds
    finally:
        servers.stop()
        servers.remove_leftover_containers()
