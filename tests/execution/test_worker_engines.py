"""More than one machine: two pool workers, each on its own Docker engine (as on two hosts),
sharing one Redis. Runs spread over both; when one engine stops, only the runs in flight there
end (`worker_lost`), and new runs go to the other worker."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from django.conf import settings

from execution.models import Execution
from harness.engine import Servers, WsClient, make_token, redis_url, run_async
from harness.waiting import wait_until
from tests.private_engine import running_private_engine

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


def workers_of(run_ids: list[str], timeout: float = 15) -> dict[str, str]:
    """run id -> the worker its record names, once every record is there."""

    def rows() -> dict[str, str]:
        return {
            str(pk): worker
            for pk, worker in Execution.objects.filter(pk__in=run_ids, worker__gt="").values_list(
                "pk", "worker"
            )
        }

    return wait_until(
        lambda: found if len(found := rows()) == len(run_ids) else None,
        timeout,
        lambda: f"records of {run_ids} naming their worker: {rows()}",
    )


def test_two_engines_share_the_load_and_one_failing_ends_only_its_runs(
    docker_ready, django_user_model
):
    tokens = [
        make_token(django_user_model.objects.create_user(username=f"e{i}", password="pw-1234567"))
        for i in range(4)
    ]
    with contextlib.ExitStack() as stack:
        first_engine = stack.enter_context(running_private_engine())
        second_engine = stack.enter_context(running_private_engine())
        fleet = Servers.create(settings.DATABASES["default"], redis_url(), RUN_WALL_SECONDS="60")
        stack.callback(fleet.stop)
        fleet.start_daphne()
        first = fleet.start_worker(size=2, env={"DOCKER_HOST": first_engine.socket})
        second = fleet.start_worker(size=2, env={"DOCKER_HOST": second_engine.socket})

        async def scenario() -> tuple[dict, dict, dict, list[str]]:
            clients = [await WsClient.connect(fleet, token) for token in tokens]
            try:
                # Four long runs for four sandboxes, spread over both workers.
                long_runs = [
                    await client.start(
                        code="import time\nprint('up', flush=True)\ntime.sleep(20)\nprint('done')"
                    )
                    for client in clients
                ]
                for client, run_id in zip(clients, long_runs, strict=True):
                    await client.wait_for(run_id, "stdout", timeout=60)
                placed = await asyncio.to_thread(workers_of, long_runs)
                await asyncio.to_thread(first_engine.stop)  # the first "host" goes down
                outcomes = {}
                for client, run_id in zip(clients, long_runs, strict=True):
                    outcomes[run_id] = await client.finish(run_id, timeout=60)
                # New runs, after the failure: the second worker serves them all.
                after = []
                for client in clients:
                    run_id = await client.start(code="print('after')", timeout=30)
                    assert (await client.finish(run_id, timeout=60)).stdout == "after\n"
                    after.append(run_id)
                return placed, outcomes, {}, after
            finally:
                for client in clients:
                    await client.close()

        placed, outcomes, _, after = run_async(scenario(), timeout=240)
        assert set(placed.values()) == {first, second}, placed  # both hosts took runs
        for run_id, outcome in outcomes.items():
            if placed[run_id] == first:
                assert outcome.exit["reason"] == "worker_lost", outcome.events
            else:
                assert outcome.exit["reason"] == "ok" and outcome.stdout == "up\ndone\n"
        assert set(workers_of(after).values()) == {second}
