"""What the web process leaves running after runs that STARTED: a worker took them and streamed.

test_web_tasks.py counts the paths of a run short of a worker's output (no worker there). Here a
real `runpool` worker runs each script in a Docker sandbox, so every path of a started run is
counted: a normal end and an error exit, the socket closing while the script sleeps, waits on
input() or is paused at a breakpoint, the user's kill, and a REST run that ends or is killed.
Once the run has ended, none of the project's code may still be running on daphne's event loop
(`GET /debug/tasks`, nodeengine/task_census.py), and no receive may still be in progress on the
channel layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from execution.models import Execution
from harness.engine import Servers, WsClient, make_token, run_async
from harness.redis_server import PrivateRedis
from harness.waiting import receive_until, wait_until
from tests.web import test_web_tasks
from tests.web.test_web_tasks import (
    call,
    census,
    census_servers,
    run_tasks,
)
from tests.web.test_ws_debug import LOOP_AND_FUNCTION

# The same module-scoped private Redis as test_web_tasks.py.
redis_server = test_web_tasks.redis_server

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

# Each script says it is running, then waits: the test acts while it is inside the sandbox.
SLEEPER = "import time\nprint('up', flush=True)\ntime.sleep(30)"
READER = "print('up', flush=True)\ninput()"
STREAMER = "import time\nwhile True:\n    print('x' * 100, flush=True)\n    time.sleep(0.002)"

# Well under the wall limit below: a task that only the sandbox's end would stop is a leak.
SETTLE_SECONDS = 10


@pytest.fixture(scope="module")
def web(django_db_setup: Any, redis_server: PrivateRedis) -> Iterator[Servers]:
    # Longer than any test takes to act: a kill or a disconnect, not the wall limit, ends the
    # waiting scripts.
    with census_servers(
        redis_server.url, worker_size=2, RUN_WALL_SECONDS="30", RUN_PAUSE_SECONDS="30"
    ) as servers:
        yield servers


def nothing_left(web: Servers) -> None:
    test_web_tasks.nothing_left(web, SETTLE_SECONDS)


def seen_running(web: Servers, frame: str) -> None:
    """The census sees the running run (so an empty one after it means something): a task in
    `frame`, and a receive on the layer for its replies."""
    body = census(web)
    assert any(frame in place for task in run_tasks(body) for place in task), body
    assert body["layer_receives"] >= 1, body


@pytest.fixture
def token(django_user_model: Any) -> str:
    user = django_user_model.objects.create_user(username="started", password="x-secret-pw-1")
    return make_token(user)


def finished(run_id: str) -> Execution:
    """The run's record once it is final."""
    return wait_until(
        lambda: Execution.objects.filter(pk=run_id, status="finished").first(),
        30,
        f"the record of run {run_id} to be final",
    )


async def running(client: WsClient, run_id: str) -> None:
    """Until the script's first output: it runs in its sandbox now."""
    await receive_until(
        lambda: any(e["type"] == "stdout" for e in client.events[run_id]),
        client.recv,
        30,
        f"the output of run {run_id}",
    )


def socket_run(token: str, web: Servers, act: Callable[[WsClient], Awaitable[str]]) -> str:
    """Open a socket, let `act` drive it (returning its run_id), then close it."""

    async def scenario() -> str:
        client = await WsClient.connect(web, token)
        try:
            return await act(client)
        finally:
            await client.close()

    return run_async(scenario())


# --- Socket runs that end on their own ---


@pytest.mark.parametrize(
    ("code", "reason", "exit_code"),
    [("print('hi')", "ok", 0), ("raise SystemExit(3)", "error", 3)],
    ids=["ok", "error_exit"],
)
def test_a_socket_run_that_ends_leaves_nothing(web, token, code, reason, exit_code):
    async def act(client: WsClient) -> str:
        outcome = await client.run(code=code)
        assert (outcome.reason, outcome.exit["exit_code"]) == (reason, exit_code)
        assert any(e["type"] == "started" for e in outcome.events)
        return str(outcome.exit["run_id"])

    run_id = socket_run(token, web, act)
    assert finished(run_id).reason == reason
    nothing_left(web)


# --- Socket runs ended from the client's side while they run ---


def test_a_socket_run_killed_while_running_leaves_nothing(web, token):
    async def act(client: WsClient) -> str:
        run_id = await client.start(code=SLEEPER)
        await running(client, run_id)
        await asyncio.to_thread(seen_running, web, "ClientRun.main")
        await client.send(type="kill", run_id=run_id)
        outcome = await client.finish(run_id)
        assert outcome.reason == "killed"
        return run_id

    run_id = socket_run(token, web, act)
    assert finished(run_id).reason == "killed"
    nothing_left(web)


@pytest.mark.parametrize(
    "code", [SLEEPER, READER, STREAMER], ids=["sleeping", "waiting_on_input", "streaming"]
)
def test_a_running_socket_run_whose_socket_closes_leaves_nothing(web, token, code):
    async def act(client: WsClient) -> str:
        run_id = await client.start(code=code)
        await running(client, run_id)
        return run_id  # the socket closes with the script still inside its sandbox

    run_id = socket_run(token, web, act)
    assert finished(run_id).reason == "killed"
    nothing_left(web)


def test_a_paused_debug_run_whose_socket_closes_leaves_nothing(web, token):
    async def act(client: WsClient) -> str:
        run_id = await client.start(graph=LOOP_AND_FUNCTION, debug={"breakpoints": ["acc"]})
        await receive_until(
            lambda: any(e["type"] == "paused" for e in client.events[run_id]),
            client.recv,
            30,
            "the run to pause at its breakpoint",
        )
        return run_id

    run_id = socket_run(token, web, act)
    assert finished(run_id).reason == "killed"
    nothing_left(web)


# --- REST runs ---


def rest_run(web: Servers, token: str, code: str) -> str:
    submitted = call(web, token, "POST", "/api/runs/", json={"code": code})
    assert submitted.status_code == 202, submitted.text
    return str(submitted.json()["id"])


def result(web: Servers, token: str, run_id: str) -> dict[str, Any]:
    return call(web, token, "GET", f"/api/executions/{run_id}/?wait=30").json()


def test_a_rest_run_that_ends_leaves_nothing(web, token):
    run_id = rest_run(web, token, "print('hi')")
    body = result(web, token, run_id)
    assert (body["status"], body["reason"], body["exit_code"]) == ("finished", "ok", 0)
    nothing_left(web)


def test_a_rest_run_killed_while_running_leaves_nothing(web, token):
    run_id = rest_run(web, token, SLEEPER)
    wait_until(
        lambda: Execution.objects.filter(pk=run_id, started_at__isnull=False).exists(),
        30,
        "the REST run to start",
    )
    seen_running(web, "RestRunHost._receive")
    assert call(web, token, "POST", f"/api/executions/{run_id}/kill/").status_code == 202
    body = result(web, token, run_id)
    assert (body["status"], body["reason"]) == ("finished", "killed")
    nothing_left(web)
