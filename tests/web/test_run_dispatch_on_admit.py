"""client_run.py with the request sent by the admission script (real Redis, real database).

When a run gets a slot at once, RedisAdmission.admit puts the pool request on the channel in the
same round trip. The web side must then behave as if it had dispatched it: a socket that closed
while the admission was in flight cancels the request through its claim (a worker taking it
later finds it claimed and never runs it), and the run is recorded as killed.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from execution import dispatch
from execution.channel_layer import FastRedisChannelLayer
from execution.models import Execution
from execution.web.admission import RedisAdmission
from execution.web.client_run import ClientRun
from execution.web.messages import RunRequest
from harness.engine import redis_url


class FakeConsumer:
    """The parts of RunConsumer a ClientRun uses: its RunHost and RunTable."""

    def __init__(self, user: Any, layer: FastRedisChannelLayer) -> None:
        self.user = user
        self.channel_layer = layer
        self.channel_name = "specific.test!reply"
        self.closed = False
        self.runs: dict[str, ClientRun] = {}
        self.events: list[dict[str, Any]] = []

    async def send_event(self, event: dict[str, Any]) -> None:
        if not self.closed:
            self.events.append(event)

    def register(self, run: ClientRun) -> None:
        self.runs[str(run.run_id)] = run

    def unregister(self, run: ClientRun) -> None:
        self.runs.pop(str(run.run_id), None)

    def forget(self, run: ClientRun) -> None:
        self.runs.pop(str(run.run_id), None)


@pytest.mark.django_db(transaction=True)
def test_socket_closed_during_admission_cancels_the_request_it_sent(settings, owner, monkeypatch):
    settings.REDIS_URL = redis_url()
    settings.POOL_REQUEST_CHANNEL = f"pool.requests.test{uuid.uuid4().hex[:8]}"
    layer = FastRedisChannelLayer(hosts=[redis_url()], prefix=f"test-{uuid.uuid4().hex[:8]}")
    consumer = FakeConsumer(owner, layer)
    real_admit = RedisAdmission.admit

    async def admit_then_close(self, *args, **kwargs):
        admitted = await real_admit(self, *args, **kwargs)
        consumer.closed = True  # the browser left while the admission was in flight
        return admitted

    monkeypatch.setattr(RedisAdmission, "admit", admit_then_close)

    async def scenario():
        run = ClientRun(consumer, RunRequest(ref="r1", code="print('hi')"), table=consumer)
        await run.main()
        await run.flush_records()
        request = await asyncio.wait_for(layer.receive(dispatch.request_channel()), 5)
        claim = await dispatch.claims().get(request["run_id"])
        worker_may_run = await dispatch.claims().claim(request["run_id"], "specific.w!x")
        await layer.flush()
        return run, request, claim, worker_may_run

    run, request, claim, worker_may_run = asyncio.run(scenario())
    assert request["type"] == dispatch.REQUEST and request["run_id"] == run.run_id
    assert claim == dispatch.CANCELLED
    assert worker_may_run is False
    assert consumer.events == [] and consumer.runs == {}
    record = Execution.objects.get(pk=run.run_id)
    assert record.reason == "killed"
