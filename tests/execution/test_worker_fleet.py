"""Pool workers as separate processes: sharing one Redis, dying mid-run, Redis restarting, and
embedded mode (no Redis: the pool inside daphne). Each test starts its own servers."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import time

import pytest
from django.conf import settings

from execution.models import Execution
from harness.engine import Servers, WsClient, make_token, redis_url, run_async
from harness.redis_server import PrivateRedis
from harness.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

SLEEPER = "import time\nprint('up', flush=True)\ntime.sleep(60)\n"


@pytest.fixture
def servers():
    created: list[Servers] = []

    def make(redis: str | None = None, **env: str) -> Servers:
        one = Servers.create(settings.DATABASES["default"], redis, test_settings=True, **env)
        created.append(one)
        return one

    yield make
    for one in created:
        one.stop()


def users_tokens(django_user_model, count: int) -> list[str]:
    return [
        make_token(django_user_model.objects.create_user(username=f"u{i}", password="pw-123456789"))
        for i in range(count)
    ]


def test_two_workers_share_one_redis_and_both_serve(servers, django_user_model):
    fleet = servers(redis_url())
    fleet.start_daphne()
    first = fleet.start_worker(size=2)
    second = fleet.start_worker(size=2)
    tokens = users_tokens(django_user_model, 4)

    async def scenario():
        clients = [await WsClient.connect(fleet, token) for token in tokens]
        refs = {i: [f"c{i}r{k}" for k in range(2)] for i in range(4)}
        for i, client in enumerate(clients):
            for ref in refs[i]:
                # Long enough that all four sandboxes are busy at once.
                await client.send(
                    type="run", ref=ref, code=f"import time\ntime.sleep(1)\nprint('{ref}')"
                )
        outcomes = await asyncio.gather(*(clients[i].finish_refs(refs[i], 60) for i in range(4)))
        for client in clients:
            await client.close()
        return [(ref, outcome) for per in outcomes for ref, outcome in per.items()]

    results = run_async(scenario())
    assert all(outcome.stdout == f"{ref}\n" for ref, outcome in results)
    run_ids = [outcome.exit["run_id"] for _, outcome in results]
    wait_until(
        lambda: Execution.objects.filter(pk__in=run_ids, status="finished").count() == 8,
        10,
        "the 8 runs' records to be finished",
    )
    workers = set(Execution.objects.filter(pk__in=run_ids).values_list("worker", flat=True))
    assert workers == {first, second}


def test_killed_worker_is_reported_as_worker_lost(servers, django_user_model):
    fleet = servers(redis_url())
    fleet.start_daphne()
    name = fleet.start_worker(size=1)
    (token,) = users_tokens(django_user_model, 1)

    async def scenario():
        client = await WsClient.connect(fleet, token)
        run_id = await client.start(code=SLEEPER)
        await client.wait_for(run_id, "stdout")
        fleet.workers[name].send_signal(signal.SIGKILL)
        outcome = await client.finish(run_id, timeout=30)
        await client.close()
        return outcome

    try:
        outcome = run_async(scenario())
    finally:
        # A worker of the same name removes the dead one's leftover container on start.
        fleet.stop_worker(name)
        fleet.start_worker(name=name, size=1)
    assert outcome.reason == "worker_lost"
    assert outcome.exit["exit_code"] is None
    assert [e["code"] for e in outcome.errors] == ["worker_lost"]
    # Ended by the liveness watch (no word from the worker for a few heartbeats), not by a wall
    # limit or the dispatch deadline: how soon is a bench figure (bench/failures.py).
    assert outcome.exit["message"].startswith("Lost contact with the pool worker"), outcome.exit


def test_sigterm_lets_a_short_run_finish(servers, django_user_model):
    fleet = servers(redis_url())
    fleet.start_daphne()
    name = fleet.start_worker(size=1)
    (token,) = users_tokens(django_user_model, 1)

    async def scenario():
        client = await WsClient.connect(fleet, token)
        run_id = await client.start(
            code="import time\nprint('a', flush=True)\ntime.sleep(1)\nprint('b')"
        )
        await client.wait_for(run_id, "stdout")
        stopping = asyncio.create_task(asyncio.to_thread(fleet.stop_worker, name))
        outcome = await client.finish(run_id, timeout=30)
        code = await stopping
        await client.close()
        return outcome, code

    outcome, code = run_async(scenario())
    assert outcome.stdout == "a\nb\n" and outcome.reason == "ok"
    assert code == 0


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_redis_restarting_mid_run_gives_exactly_one_exit_and_the_worker_serves_on(
    servers, django_user_model
):
    """The channel layer fails while a run is under way: the client gets `error` and one `exit`
    (not a bare close), the run is killed and its container removed, and once Redis answers
    again the same worker takes new runs."""
    import docker

    redis = PrivateRedis()
    redis.start()
    fleet = servers(redis.url, RUN_WALL_SECONDS="60")
    (token,) = users_tokens(django_user_model, 1)
    engine = docker.from_env()
    try:
        fleet.start_daphne()
        name = fleet.start_worker(size=1)

        running_script: list[str] = []

        async def through_the_restart() -> list[dict]:
            client = await WsClient.connect(fleet, token)
            try:
                run_id = await client.start(code=SLEEPER)
                await client.wait_for(run_id, "stdout")
                # The worker's oldest container is the one running the script (size 1).
                mine = engine.containers.list(filters={"label": f"nodeengine.worker={name}"})
                running_script.append(min(mine, key=lambda c: c.attrs["Created"]).id)
                redis.stop()
                await asyncio.sleep(1)
                redis.start()
                await client.wait_for(run_id, "exit", timeout=40)
                with contextlib.suppress(Exception):  # anything else that still comes
                    while True:
                        await client.recv(timeout=2)
                return client.events[run_id]
            finally:
                await client.close()

        events = run_async(through_the_restart(), timeout=90)
        kinds = [e["type"] for e in events]
        assert kinds.count("exit") == 1, kinds
        assert "error" in kinds and kinds.index("error") < kinds.index("exit"), kinds
        exit_event = next(e for e in events if e["type"] == "exit")
        assert exit_event["reason"] == "worker_lost", exit_event

        wait_until(
            lambda: not engine.containers.list(all=True, filters={"id": running_script[0]}),
            30,
            "the run's container to be removed",
            interval=0.5,
        )

        async def hello() -> str:
            client = await WsClient.connect(fleet, token)
            try:
                return (await client.run(code="print('hello')", timeout=20)).stdout
            finally:
                await client.close()

        # Once Redis answers again the same worker serves (the first tries may still fail).
        wait_until(
            lambda: run_async(hello(), timeout=30) == "hello\n",
            40,
            "the worker to serve print('hello') again",
            interval=0.5,
        )
        assert fleet.workers[name].poll() is None, "the worker died"
        assert "Task exception was never retrieved" not in fleet.log(name)
        assert "Task exception was never retrieved" not in fleet.log()
    finally:
        engine.close()
        fleet.stop()
        redis.stop()


def test_restarting_redis_is_survived(servers, django_user_model):
    redis = PrivateRedis()
    redis.start()
    fleet = servers(redis.url)
    (token,) = users_tokens(django_user_model, 1)

    async def hello() -> str:
        client = await WsClient.connect(fleet, token)
        try:
            return (await client.run(code="print('hello')", timeout=20)).stdout
        finally:
            await client.close()

    try:
        fleet.start_daphne()
        fleet.start_worker(size=1)
        assert run_async(hello()) == "hello\n"
        redis.stop()
        time.sleep(1)
        redis.start()
        assert (
            wait_until(
                lambda: run_async(hello(), timeout=30),
                40,
                "the servers to serve print('hello') again",
                interval=0.5,
            )
            == "hello\n"
        )
    finally:
        fleet.stop()
        redis.stop()


def test_embedded_mode_serves_a_run(servers, django_user_model):
    single = servers(None, POOL_SIZE="1")
    single.start_daphne()
    (token,) = users_tokens(django_user_model, 1)

    async def scenario():
        client = await WsClient.connect(single, token)
        outcome = await client.run(
            code="import sys\nprint('embedded', sys.version_info[0])", timeout=60
        )
        await client.close()
        return outcome

    outcome = run_async(scenario())
    assert outcome.stdout == "embedded 3\n"
    assert outcome.reason == "ok"


def test_with_its_worker_killed_a_run_still_ends_at_its_wall_limit(servers, django_user_model):
    """Nobody restarts the worker: the sandbox's own clock ends the running script a moment past
    its wall limit, and the worker's unused warm container ends too."""
    import docker

    fleet = servers(redis_url(), RUN_WALL_SECONDS="3", SANDBOX_IDLE_SECONDS="4")
    fleet.start_daphne()
    name = fleet.start_worker(size=1)
    (token,) = users_tokens(django_user_model, 1)

    async def scenario():
        client = await WsClient.connect(fleet, token)
        run_id = await client.start(code="import time\nprint('up', flush=True)\ntime.sleep(600)")
        await client.wait_for(run_id, "stdout")
        fleet.stop_worker(name, sig=signal.SIGKILL)
        await client.close()

    run_async(scenario())
    engine = docker.from_env()
    try:

        def worker_containers() -> list:
            return engine.containers.list(all=True, filters={"label": f"nodeengine.worker={name}"})

        # "created": the worker died between creating a warm container and starting it, so it
        # never ran a process (nothing of it runs or waits; the next worker removes it).
        mine = wait_until(
            lambda: (
                found
                if (found := worker_containers())
                and all(c.status in ("exited", "created") for c in found)
                else None
            ),
            60,
            lambda: (
                f"every container of {name} to end: "
                f"{[(c.name, c.status) for c in worker_containers()]}"
            ),
            interval=0.5,
        )
        codes = sorted(c.attrs["State"]["ExitCode"] for c in mine if c.status == "exited")
        # The run's container: the runner's wall clock (124). A warm one: its stdin closed with
        # the worker's attach socket (2: no script header), or else its idle clock (125).
        assert 124 in codes and set(codes) <= {2, 124, 125}, codes
    finally:
        engine.close()
