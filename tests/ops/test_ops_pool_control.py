"""The dashboard's actions drive a REAL pool: runpool subprocesses on Redis db 7, real Docker.

Observed the way an operator would: through heartbeats (fleet.list_workers), `docker ps` labels
and the runs themselves (a WebSocket client of a real daphne).
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from execution import fleet
from execution.models import Execution
from execution.sandbox.container import list_worker_containers
from harness.engine import Servers, WsClient, make_token, run_async
from harness.waiting import WaitTimeout, wait_until
from tests.ops_support import ops_redis_url, redis_settings

pytestmark = [pytest.mark.docker]
ACTION = "/admin/pool/action/"


@pytest.fixture(scope="module")
def ops_servers(django_db_setup: Any, django_db_blocker: Any, docker_ready: Any):
    """daphne + one pool worker (2 sandboxes) of our own on Redis db 7."""
    from django.conf import settings

    servers = Servers.create(settings.DATABASES["default"], ops_redis_url(), RUN_WALL_SECONDS="20")
    try:
        servers.start_daphne()
        servers.start_worker(size=2)
        yield servers
    finally:
        servers.stop()


@pytest.fixture
def worker_name(ops_servers: Servers, settings, transactional_db) -> str:
    redis_settings(settings, ops_redis_url())
    name = next(iter(ops_servers.workers))
    wait_until(lambda: (w := fleet.get_worker(name)) and w.is_alive(), 20, f"{name}'s heartbeat")
    return name


@pytest.fixture
def operator(django_user_model, transactional_db) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_user("operator", is_staff=True))
    return client


def containers(docker_ready: Any, name: str) -> set[str]:
    return {c["Id"] for c in list_worker_containers(docker_ready.api, name)}


def heartbeat(name: str) -> fleet.WorkerStatus:
    worker = fleet.get_worker(name)
    assert worker is not None
    return worker


def act(client: Client, **data: str) -> None:
    response = client.post(ACTION, data, follow=True)
    assert response.status_code == 200
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert not errors, errors


def test_resize_changes_the_number_of_warm_containers(worker_name, operator, docker_ready):
    wait_until(lambda: heartbeat(worker_name).warm == 2, 60, "2 warm containers")
    act(operator, action="resize", worker=worker_name, size="3")
    wait_until(
        lambda: heartbeat(worker_name).size == 3 and heartbeat(worker_name).warm == 3,
        60,
        "the heartbeat to report 3 warm",
    )
    # 3 warm + the one the serving loop holds while it waits for a run.
    wait_until(
        lambda: len(containers(docker_ready, worker_name)) == 3 + heartbeat(worker_name).busy,
        60,
        "docker ps to show the new containers",
    )
    assert "resize 3: ok" in heartbeat(worker_name).last_control

    act(operator, action="resize", worker=worker_name, size="1")
    wait_until(
        lambda: len(containers(docker_ready, worker_name)) == 1 + heartbeat(worker_name).busy,
        60,
        "the extra containers to be removed",
    )
    assert heartbeat(worker_name).warm == 1
    act(operator, action="resize", worker=worker_name, size="2")
    wait_until(lambda: heartbeat(worker_name).warm == 2, 60, "2 warm again")


def test_recycle_replaces_the_warm_containers(worker_name, operator, docker_ready):
    wait_until(lambda: heartbeat(worker_name).warm == 2, 60, "2 warm containers")
    before = containers(docker_ready, worker_name)
    act(operator, action="recycle", worker=worker_name)

    def replaced() -> bool:
        after = containers(docker_ready, worker_name)
        # Only the container held by the serving loop (not warm) may survive.
        return (
            heartbeat(worker_name).warm == 2
            and len(before & after) <= 1
            and len(after - before) >= 2
        )

    wait_until(replaced, 60, "new warm containers in place of the old ones")


def _post_in_thread(client: Client, **data: str) -> None:
    try:
        act(client, **data)
    finally:
        connections.close_all()  # this thread's connection must not outlive the test


def test_drain_stops_new_runs_until_undrained(ops_servers, worker_name, operator):
    act(operator, action="drain", worker=worker_name)
    wait_until(lambda: heartbeat(worker_name).draining, 20, "the worker to report draining")
    token = make_token(
        Execution._meta.get_field("user").related_model.objects.get(username="operator")
    )

    async def scenario() -> str:
        client = await WsClient.connect(ops_servers, token)
        try:
            run_id = await client.start(code="print('after the drain')")
            with pytest.raises(WaitTimeout):
                await client.wait_for(run_id, "started", timeout=4)
            await asyncio.to_thread(_post_in_thread, operator, action="undrain", worker=worker_name)
            outcome = await client.finish(run_id, timeout=60)
            assert outcome.reason == "ok", outcome.events
            return outcome.stdout
        finally:
            await client.close()

    try:
        assert run_async(scenario()) == "after the drain\n"
    finally:
        fleet.send_control(worker_name, "undrain")
    wait_until(lambda: not heartbeat(worker_name).draining, 20, "the worker to report undrained")


def _wait_for_record_in_thread(run_id: str) -> None:
    try:
        wait_until(lambda: Execution.objects.filter(pk=run_id).exists(), 20, "the run's record")
    finally:
        connections.close_all()


def test_kill_stops_a_running_execution(ops_servers, worker_name, operator):
    user = Execution._meta.get_field("user").related_model.objects.get(username="operator")
    token = make_token(user)

    async def scenario() -> dict:
        client = await WsClient.connect(ops_servers, token)
        try:
            code = "import time\nprint('working', flush=True)\ntime.sleep(60)\nprint('never')"
            run_id = await client.start(code=code)
            await client.wait_for(run_id, "stdout", timeout=60)
            # The operator kills what the dashboard lists, and it lists records, which are
            # written just after a run's first output, off the run's hot path.
            await asyncio.to_thread(_wait_for_record_in_thread, run_id)
            await asyncio.to_thread(_post_in_thread, operator, action="kill", run_id=run_id)
            outcome = await client.finish(run_id, timeout=30)
            return {"reason": outcome.reason, "stdout": outcome.stdout, "run_id": run_id}
        finally:
            await client.close()

    result = run_async(scenario())
    assert result["reason"] == "killed" and "never" not in result["stdout"]
    assert "kill_run" in heartbeat(worker_name).last_control
    row = wait_until(
        lambda: Execution.objects.filter(pk=result["run_id"], status="finished").first(),
        20,
        "the execution row to be finished",
    )
    assert row.reason == "killed" and row.worker == worker_name


def test_a_silent_worker_shows_dead_and_a_new_worker_removes_its_containers(
    ops_servers, worker_name, operator, docker_ready
):
    doomed = ops_servers.start_worker(name=f"{worker_name}-doomed", size=1)
    wait_until(
        lambda: (w := fleet.get_worker(doomed)) and w.is_alive() and w.warm == 1,
        60,
        f"{doomed} to be alive with a warm container",
    )
    ops_servers.stop_worker(doomed, sig=signal.SIGKILL)  # no goodbye, containers left behind
    assert containers(docker_ready, doomed), "a killed worker leaves its containers"
    wait_until(
        lambda: not heartbeat(doomed).is_alive(),
        fleet.DEAD_AFTER_SECONDS + 10,
        f"{doomed} to show as dead",
    )
    dashboard = operator.get("/admin/pool/status.json").json()
    assert {w["name"]: w["alive"] for w in dashboard["workers"]}[doomed] is False

    successor = ops_servers.start_worker(name=f"{worker_name}-successor", size=1)
    try:
        wait_until(
            lambda: not containers(docker_ready, doomed),
            60,
            f"{successor} to remove {doomed}'s containers",
        )
    finally:
        ops_servers.stop_worker(successor)
        fleet.forget_worker(doomed)
        fleet.forget_worker(successor)
