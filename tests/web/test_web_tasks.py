"""What the web process leaves running: /readyz with sockets open, and the tasks of ended runs.

A real daphne on a private redis-server, with no pool worker: runs are compiled, admitted and
dispatched, but never start, which is every path of the web side short of a worker's output
(refusal, compile error, disconnect, kill, Redis fault). daphne runs with TASK_CENSUS, so
`GET /debug/tasks` lists the asyncio tasks on its event loop (nodeengine/task_census.py): once
the runs have ended, none of the project's code may still be running there, and no receive may
still be in progress on the channel layer (one would hold the layer's receive lock).
The paths of runs a worker started are counted in test_web_tasks_started.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from execution import fleet
from execution.models import Execution
from harness.engine import Servers, WsClient, database_url, make_token, run_async
from harness.redis_server import PrivateRedis
from harness.waiting import wait_until
from tests.ops_support import redis_settings

pytestmark = pytest.mark.django_db(transaction=True)

BROKEN = {"nodes": [{"id": "x", "type": "no.such.node", "position": {"x": 0, "y": 0}}]}
SLEEPER = "import time\ntime.sleep(60)"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def census_servers(redis_url: str, worker_size: int = 0, **settings: str) -> Iterator[Servers]:
    """daphne with TASK_CENSUS on `redis_url`, and a runpool worker of `worker_size` sandboxes
    when asked (tests/web/test_web_tasks_started.py)."""
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"]
    servers = Servers.create(
        database,
        redis_url,
        test_settings=True,
        # Without the harness's conn_max_age: each concurrent request has a thread of its own
        # (Django's ThreadSensitiveContext), and kept connections would exhaust Postgres.
        DATABASE_URL=database_url(database).partition("?")[0],
        TASK_CENSUS="true",
        **settings,
    )
    try:
        servers.start_daphne()
        if worker_size:
            servers.start_worker(size=worker_size)
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="module")
def web(django_db_setup: Any, redis_server: PrivateRedis) -> Iterator[Servers]:
    with census_servers(redis_server.url, RUN_SUBMIT_RATE="100000/min") as servers:
        yield servers


@pytest.fixture
def token(django_user_model: Any) -> str:
    user = django_user_model.objects.create_user(username="tasks", password="x-secret-password-1")
    return make_token(user)


@pytest.fixture
def live_worker(settings: Any, redis_server: PrivateRedis) -> Callable[[], None]:
    """A worker's heartbeat with warm capacity (what /readyz's `workers` check reads), as a
    real worker sends it every 2 s: call it before each /readyz."""
    redis_settings(settings, redis_server.url)
    name = f"webtasks-{uuid.uuid4().hex[:6]}"

    def beat() -> None:
        fleet.publish_heartbeat(name, warm=2, size=2)

    return beat


def call(web: Servers, token: str | None, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Token {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return requests.request(method, web.origin + path, headers=headers, timeout=40, **kwargs)


def census(web: Servers) -> dict[str, Any]:
    answer = call(web, None, "GET", "/debug/tasks")
    assert answer.status_code == 200, answer.text
    return answer.json()


# Every request passes through the ASGI entry (nodeengine/asgi.py), the census's own included:
# not a run's task.
ENTRY = "nodeengine/asgi.py"


def run_tasks(body: dict[str, Any]) -> list[list[str]]:
    """The tasks running the project's code (not daphne's, Django's or the census's own)."""
    return [
        task["frames"]
        for task in body["tasks"]
        if any(
            place.startswith(("execution/", "nodeengine/", "graphs/")) and place != ENTRY
            for place in (frame.split(" (")[1].rstrip(")") for frame in task["frames"])
        )
    ]


def nothing_left(web: Servers, timeout: float = 40) -> None:
    """Wait until every task of the ended runs has ended, and nobody receives on the layer."""

    def clean() -> bool:
        body = census(web)
        return not run_tasks(body) and body["layer_receives"] in (0, None)

    try:
        wait_until(clean, timeout, "the runs' tasks to end")
    except AssertionError:
        body = census(web)
        raise AssertionError(
            f"left behind: {run_tasks(body)}; layer receives: {body['layer_receives']}"
        ) from None


def ready(web: Servers, beat: Callable[[], None]) -> dict[str, Any]:
    beat()
    answer = call(web, None, "GET", "/readyz")
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- /readyz with sockets open (each consumer waits inside the layer's receive) ---


def test_readyz_is_ready_while_sockets_are_open(web, token, live_worker):
    async def scenario() -> dict[str, Any]:
        sockets = [await WsClient.connect(web, token) for _ in range(3)]
        try:
            await asyncio.sleep(0.5)  # let each consumer start waiting on the layer
            # Every open socket's consumer is inside a receive on the shared layer now.
            assert census(web)["layer_receives"] >= 3
            return await asyncio.to_thread(ready, web, live_worker)
        finally:
            for socket in sockets:
                await socket.close()

    body = run_async(scenario())
    assert body["failed"] == [] and body["checks"]["channel_layer"]["ok"]
    nothing_left(web)


# --- Every task the web side starts for a run ends (none outlives it, holding the layer) ---


def burn_cpu() -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]


def test_refused_runs_under_load_leave_no_listener(web, token, live_worker):
    """A refused REST run's listener was cancelled while redis-py was sending; Python 3.11's
    wait_for swallowed the cancellation, and the listener popped for ever, holding the layer's
    receive lock (so /readyz failed until daphne restarted). Many refusals at once, on a busy
    machine, make that race likely."""
    burners = burn_cpu()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            for _ in range(5):
                answers = list(
                    pool.map(
                        lambda _: call(web, token, "POST", "/api/runs/", json={"graph": BROKEN}),
                        range(48),
                    )
                )
                assert {a.status_code for a in answers} == {400}, answers[0].text
                assert {a.json()["code"] for a in answers} == {"compile_error"}
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    nothing_left(web)
    assert ready(web, live_worker)["checks"]["channel_layer"]["ok"]
    assert not Execution.objects.exists()


def test_a_refused_graph_run_leaves_nothing(web, token):
    answer = call(web, token, "POST", "/api/graphs/987654321/runs/", json={})
    assert answer.status_code == 404
    nothing_left(web)


def test_a_socket_run_dropped_by_its_socket_leaves_nothing(web, token):
    async def scenario() -> str:
        client = await WsClient.connect(web, token)
        run_id = await client.start(code=SLEEPER)  # no worker: it stays unstarted
        await client.close()
        return run_id

    run_id = run_async(scenario())
    wait_until(
        lambda: Execution.objects.filter(pk=run_id, status="finished").exists(),
        20,
        "the abandoned run's record",
    )
    assert Execution.objects.get(pk=run_id).reason == "killed"
    nothing_left(web)


def test_a_killed_rest_run_leaves_nothing(web, token):
    submitted = call(web, token, "POST", "/api/runs/", json={"code": SLEEPER})
    assert submitted.status_code == 202, submitted.text
    run_id = submitted.json()["id"]
    assert call(web, token, "POST", f"/api/executions/{run_id}/kill/").status_code == 202
    result = call(web, token, "GET", f"/api/executions/{run_id}/?wait=20").json()
    assert (result["status"], result["reason"]) == ("finished", "killed")
    nothing_left(web)


def test_a_rest_run_through_a_redis_fault_leaves_nothing(web, token, redis_server):
    submitted = call(web, token, "POST", "/api/runs/", json={"code": SLEEPER})
    assert submitted.status_code == 202, submitted.text
    run_id = submitted.json()["id"]
    redis_server.stop()
    try:
        wait_until(
            lambda: Execution.objects.filter(pk=run_id, status="finished").exists(),
            30,
            "the run to end once Redis is gone",
        )
    finally:
        redis_server.start()
    assert Execution.objects.get(pk=run_id).reason == "worker_lost"
    nothing_left(web)
