"""Webhook runs against a real daphne, `runpool` worker, Redis, Postgres and Docker (the
module-shared engine servers, harness/engine.py: RUN_WALL_SECONDS is 5 there, RUNS_PER_USER 2 +
RUNS_QUEUED_PER_USER 8, and the webhook settings' defaults: 60/min, 2 + 8 runs per hook).

A call runs the graph as its owner (the record is the owner's), answers 200 with the result when
the run ends within `?wait=`, else 202 with a poll URL; a flood of calls fills the hook's own
run budget and never the owner's; the token is stored nowhere in clear, even after runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.apps import apps

from execution.models import Execution
from graphs.models import Graph
from harness.engine import Servers, make_token
from webhooks.models import Webhook, WebhookRun

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def code_graph(code: str) -> dict[str, Any]:
    return {
        "nodes": [
            {
                "id": "start",
                "type": "on_start",
                "position": {"x": 0, "y": 0},
                "data": {"params": {}},
            },
            {
                "id": "say",
                "type": "python_code",
                "position": {"x": 200, "y": 0},
                "data": {"params": {"code": code, "inputs": "", "outputs": ""}},
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


PRINTS = code_graph("print('from the hook')\n")
SLEEPS = code_graph("import time\nprint('up', flush=True)\ntime.sleep(60)\n")


def call(url: str, body: Any = None, method: str = "POST", **kwargs: Any) -> requests.Response:
    return requests.request(
        method, url, json={} if body is None else body, timeout=kwargs.pop("timeout", 45), **kwargs
    )


def new_hook(servers: Servers, token: str, graph: Graph) -> str:
    answer = requests.post(
        f"{servers.origin}/api/graphs/{graph.pk}/webhooks/",
        headers={"Authorization": f"Token {token}"},
        timeout=20,
    )
    assert answer.status_code == 201, answer.text
    url = answer.json()["url"]
    assert url.startswith(f"{servers.origin}/api/hooks/")
    return str(url)


def hook_token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def graph(engine_user) -> Graph:
    return Graph.objects.create(owner=engine_user, name="hooked", **PRINTS)


@pytest.fixture
def sleeper(engine_user) -> Graph:
    return Graph.objects.create(owner=engine_user, name="sleeps", **SLEEPS)


@pytest.fixture
def killer(engine_servers, engine_token) -> Iterator[list[str]]:
    """Run ids to stop at the end of the test, so no sleeper outlives it (the servers do)."""
    run_ids: list[str] = []
    yield run_ids
    for run_id in run_ids:
        requests.post(
            f"{engine_servers.origin}/api/executions/{run_id}/kill/",
            headers={"Authorization": f"Token {engine_token}"},
            timeout=20,
        )


def test_a_call_runs_the_graph_as_its_owner_and_answers_the_result(
    engine_servers, engine_token, engine_user, graph
):
    url = new_hook(engine_servers, engine_token, graph)
    answer = call(url, {})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "outputs": {},
        "exit_code": 0,
        "reason": "ok",
        "output_tail": "from the hook\n",
    }
    run = WebhookRun.objects.get()
    row = Execution.objects.get(pk=run.run_id)
    assert (row.user, row.graph_id, row.reason) == (engine_user, graph.pk, "ok")
    # An empty body is no inputs, as `{}`.
    assert requests.post(url, timeout=45).status_code == 200


def test_the_answer_carries_the_graphs_outputs(engine_servers, engine_token, engine_user):
    """A Graph output node calls the runner's `_ne_output` (docs/interfaces.md); a code node
    calling it stands in for one here, so the test does not depend on the compiler's nodes."""
    adds = Graph.objects.create(
        owner=engine_user, name="adds", **code_graph("_ne_output('sum', 2 + 3)\nprint('added')\n")
    )
    answer = call(new_hook(engine_servers, engine_token, adds), {})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "outputs": {"sum": 5},
        "exit_code": 0,
        "reason": "ok",
        "output_tail": "added\n",
    }


def test_the_body_is_the_runs_inputs(engine_servers, engine_token, graph):
    """The body goes to the same input check as `inputs` of POST /api/graphs/{id}/runs/: this
    graph has no Graph input nodes, so any input is unknown, named in `errors.inputs`."""
    url = new_hook(engine_servers, engine_token, graph)
    answer = call(url, {"a": 1, "b": "two"})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "bad_inputs"
    assert any("'a'" in error for error in body["errors"]["inputs"])
    assert any("'b'" in error for error in body["errors"]["inputs"])
    rest = requests.post(
        f"{engine_servers.origin}/api/graphs/{graph.pk}/runs/",
        headers={"Authorization": f"Token {engine_token}"},
        json={"inputs": {"a": 1, "b": "two"}},
        timeout=20,
    )
    assert (rest.status_code, rest.json()["errors"]) == (400, body["errors"])
    deep: Any = 1
    for _ in range(40):
        deep = [deep]
    too_deep = call(url, {"a": deep})  # the API's JSON guard (GRAPH_MAX_DEPTH) refuses it
    assert too_deep.status_code == 400 and "nested too deeply" in too_deep.json()["detail"]
    assert not WebhookRun.objects.exists()


def test_a_function_graph_gives_the_same_outputs_by_hook_rest_and_socket(
    engine_servers, engine_token, engine_user
):
    """Graph input `a: number` and `b: int` -> Arithmetic + -> Graph output `result`."""
    from harness.engine import WsClient, run_async
    from tests.web.test_graph_io_runs import function_graph

    graph = Graph.objects.create(owner=engine_user, name="adds", **function_graph())
    inputs = {"a": 1.5, "b": 2}
    by_hook = call(new_hook(engine_servers, engine_token, graph) + "?wait=25", inputs)
    assert by_hook.status_code == 200, by_hook.text
    assert by_hook.json() == {"outputs": {"result": 3.5}, "exit_code": 0, "reason": "ok",
                              "output_tail": ""}  # fmt: skip
    headers = {"Authorization": f"Token {engine_token}"}
    submitted = requests.post(
        f"{engine_servers.origin}/api/graphs/{graph.pk}/runs/",
        headers=headers,
        json={"inputs": inputs},
        timeout=20,
    ).json()
    by_rest = requests.get(submitted["url"] + "?wait=25", headers=headers, timeout=40).json()

    async def by_socket() -> Any:
        client = await WsClient.connect(engine_servers, engine_token)
        try:
            return await client.run(graph_id=graph.pk, inputs=inputs)
        finally:
            await client.close()

    outcome = run_async(by_socket())
    [result] = [event for event in outcome.events if event["type"] == "result"]
    assert by_rest["outputs"] == result["outputs"] == by_hook.json()["outputs"]


def test_inputs_that_do_not_fit_are_named(engine_servers, engine_token, engine_user):
    from tests.web.test_graph_io_runs import function_graph

    graph = Graph.objects.create(owner=engine_user, name="adds", **function_graph())
    url = new_hook(engine_servers, engine_token, graph)
    answer = call(url, {"a": "one", "c": 3})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "bad_inputs"
    errors = answer.json()["errors"]["inputs"]
    for name in ("'a'", "'b'", "'c'"):  # wrong type, missing, unknown
        assert any(name in error for error in errors), (name, errors)
    assert not WebhookRun.objects.exists()


def test_wait_zero_answers_202_and_the_poll_url_gives_the_result(
    engine_servers, engine_token, graph
):
    url = new_hook(engine_servers, engine_token, graph)
    answer = call(url + "?wait=0")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "running"
    run_id = str(WebhookRun.objects.get().run_id)
    assert body["poll_url"] == f"/api/hooks/{hook_token(url)}/runs/{run_id}/"
    assert answer.headers["Location"] == engine_servers.origin + body["poll_url"]
    done = call(engine_servers.origin + body["poll_url"] + "?wait=25", method="GET")
    assert done.status_code == 200, done.text
    assert done.json() == {
        "outputs": {},
        "exit_code": 0,
        "reason": "ok",
        "output_tail": "from the hook\n",
    }
    # Polled again once done: the same answer.
    again = call(engine_servers.origin + body["poll_url"], method="GET")
    assert (again.status_code, again.json()) == (200, done.json())


def test_a_run_longer_than_wait_is_polled_while_running(
    engine_servers, engine_token, sleeper, killer
):
    url = new_hook(engine_servers, engine_token, sleeper)
    answer = call(url + "?wait=0.5")
    assert answer.status_code == 202, answer.text
    poll = engine_servers.origin + answer.json()["poll_url"]
    killer.append(poll.rstrip("/").rsplit("/", 1)[-1])
    running = call(poll, method="GET")
    assert running.status_code == 202
    assert running.json() == answer.json()
    # The run ends at the servers' wall time (5 s): the poll then has its result.
    ended = call(poll + "?wait=25", method="GET")
    assert ended.status_code == 200
    assert ended.json()["reason"] == "timeout"
    assert ended.json()["output_tail"].startswith("up\n")


def test_the_poll_url_is_404_for_a_run_not_of_this_hook(
    engine_servers, engine_token, graph, stranger_graph
):
    url = new_hook(engine_servers, engine_token, graph)
    other = new_hook(engine_servers, engine_token, graph)
    poll = call(url + "?wait=0").json()["poll_url"]
    run_id = poll.rstrip("/").rsplit("/", 1)[-1]
    for wrong in (
        f"/api/hooks/{hook_token(other)}/runs/{run_id}/",  # another hook of the same graph
        f"/api/hooks/{hook_token(url)}/runs/00000000-0000-4000-8000-000000000000/",
        f"/api/hooks/{'x' * 43}/runs/{run_id}/",  # no such hook
    ):
        answer = call(engine_servers.origin + wrong, method="GET")
        assert answer.status_code == 404, wrong
        assert answer.json()["detail"]
    # An ordinary run of the owner's (not started by the hook) is not readable through it either.
    own = requests.post(
        f"{engine_servers.origin}/api/graphs/{graph.pk}/runs/",
        headers={"Authorization": f"Token {engine_token}"},
        json={},
        timeout=20,
    ).json()["id"]
    answer = call(f"{engine_servers.origin}/api/hooks/{hook_token(url)}/runs/{own}/", method="GET")
    assert answer.status_code == 404
    assert call(engine_servers.origin + poll + "?wait=25", method="GET").status_code == 200


@pytest.fixture
def stranger_graph(django_user_model) -> Graph:
    stranger = django_user_model.objects.create_user(username="stranger", password="pw-1234567890")
    return Graph.objects.create(owner=stranger, name="theirs", **PRINTS)


def test_a_revoked_hook_is_404_and_runs_nothing(engine_servers, engine_token, graph):
    url = new_hook(engine_servers, engine_token, graph)
    poll = call(url + "?wait=25").json()
    assert poll["reason"] == "ok"
    run_id = str(WebhookRun.objects.get().run_id)
    hook = Webhook.objects.get()
    revoked = requests.delete(
        f"{engine_servers.origin}/api/graphs/{graph.pk}/webhooks/{hook.pk}/",
        headers={"Authorization": f"Token {engine_token}"},
        timeout=20,
    )
    assert revoked.status_code == 204
    count = Execution.objects.count()
    assert call(url).status_code == 404
    poll_url = f"{engine_servers.origin}/api/hooks/{hook_token(url)}/runs/{run_id}/"
    assert call(poll_url, method="GET").status_code == 404
    assert Execution.objects.count() == count


def test_a_flood_of_hook_calls_leaves_the_owners_runs_free(
    engine_servers, engine_token, engine_user, sleeper, graph, killer
):
    """The hook's 2 running + 8 queued runs fill its own budget: the 11th call is refused, and
    the owner (whose own budget is also 2 + 8) still runs at once. Were hook runs counted in the
    owner's slots, the owner's run would be the one refused."""
    url = new_hook(engine_servers, engine_token, sleeper)
    for _ in range(10):
        answer = call(url + "?wait=0")
        assert answer.status_code == 202, answer.text
        killer.append(answer.json()["poll_url"].rstrip("/").rsplit("/", 1)[-1])
    refused = call(url + "?wait=0")
    assert refused.status_code == 429
    assert refused.json()["code"] == "refused"
    assert "This webhook already has 10 runs" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) > 0

    headers = {"Authorization": f"Token {engine_token}"}
    own = requests.post(
        f"{engine_servers.origin}/api/graphs/{graph.pk}/runs/", headers=headers, json={}, timeout=20
    )
    assert own.status_code == 202, own.text
    result = requests.get(own.json()["url"] + "?wait=25", headers=headers, timeout=40).json()
    assert (result["status"], result["reason"], result["output_tail"]) == (
        "finished",
        "ok",
        "from the hook\n",
    )
    # Hook runs are the owner's records: the owner can see and stop them.
    assert Execution.objects.filter(user=engine_user, graph=sleeper).count() == 10


def test_a_body_over_webhook_body_bytes_is_a_413(engine_servers, engine_token, graph):
    url = new_hook(engine_servers, engine_token, graph)
    too_big = {"text": "x" * (256 * 1024)}  # under MAX_BODY_BYTES (2 MiB): the hook's own limit
    answer = call(url, too_big)
    assert answer.status_code == 413
    assert "262144 bytes" in answer.json()["detail"]
    assert not WebhookRun.objects.exists()


def test_a_graph_that_does_not_compile_is_a_400(engine_servers, engine_token, engine_user):
    broken = Graph.objects.create(
        owner=engine_user,
        name="broken",
        nodes=[{"id": "x", "type": "no.such.node", "position": {"x": 0, "y": 0}}],
        edges=[],
    )
    answer = call(new_hook(engine_servers, engine_token, broken))
    assert answer.status_code == 400
    assert answer.json()["code"] == "compile_error" and answer.json()["diagnostics"]
    assert not Execution.objects.exists()


def test_no_token_is_stored_in_clear_anywhere(engine_servers, engine_token, graph):
    """After creating hooks and running them, no column of any table holds a token."""
    urls = [new_hook(engine_servers, engine_token, graph) for _ in range(2)]
    for url in urls:
        assert call(url + "?wait=25").status_code == 200
    tokens = [hook_token(url) for url in urls]
    for model in apps.get_models():
        for row in model.objects.values_list():
            text = " ".join(str(value) for value in row)
            assert not any(token in text for token in tokens), model.__name__


@pytest.fixture(scope="module")
def limited_servers(engine_servers):
    """A second daphne with WEBHOOK_RATE=3/min, sharing the session's pool worker."""
    from django.conf import settings

    from harness.engine import redis_url

    servers = Servers.create(
        settings.DATABASES["default"],
        redis_url(),
        POOL_REQUEST_CHANNEL=engine_servers.env["POOL_REQUEST_CHANNEL"],
        WEBHOOK_RATE="3/min",
    )
    try:
        servers.start_daphne()
        yield servers
    finally:
        servers.stop()


def test_the_rate_limit_answers_429_with_retry_after(limited_servers, engine_user, graph):
    url = new_hook(limited_servers, make_token(engine_user), graph)
    other = new_hook(limited_servers, make_token(engine_user), graph)
    for _ in range(3):
        assert call(url + "?wait=25").status_code == 200
    limited = call(url + "?wait=25")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["detail"].startswith("This webhook is called too often (limit 3/min).")
    assert WebhookRun.objects.count() == 3  # the refused call started nothing
    # Polls are not calls; another hook has its own count.
    first_run = WebhookRun.objects.earliest("created_at").run_id
    poll = f"/api/hooks/{hook_token(url)}/runs/{first_run}/"
    assert call(limited_servers.origin + poll, method="GET").status_code == 200
    assert call(other + "?wait=25").status_code == 200
    # Django logged the 429's path (it logs every 4xx): with the token masked. (daphne's own
    # access log, a line per request, is the server's: docs/interfaces.md says so.)
    django_lines = [line for line in limited_servers.log().splitlines() if '"logger":' in line]
    assert any("Too Many Requests: /api/hooks/<token>/" in line for line in django_lines)
    assert not any(hook_token(url) in line for line in django_lines)
