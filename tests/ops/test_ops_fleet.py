"""The fleet's heartbeat store (Redis and in-process) and the validation of control messages."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from execution import fleet
from execution.worker.fleet_member import handle_control
from tests.ops_support import KEY_PREFIX, ops_redis_url, redis_settings


@pytest.fixture
def redis_store(settings):
    url = ops_redis_url()
    redis_settings(settings, url)
    client = redis.Redis.from_url(url)
    yield client
    for key in client.scan_iter(match=KEY_PREFIX + "opsfleet-*"):
        client.delete(key)


@pytest.fixture
def memory_store(settings):
    settings.REDIS_URL = None
    yield fleet.get_store()
    for record in fleet.get_store().all():
        if record["name"].startswith("opsfleet-"):
            fleet.forget_worker(record["name"])


def _name() -> str:
    return f"opsfleet-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("store", ["redis_store", "memory_store"])
def test_a_heartbeat_is_listed_alive_then_dead_when_it_stops(store, request):
    request.getfixturevalue(store)
    fresh, silent = _name(), _name()
    fleet.publish_heartbeat(fresh, host="h1", warm=3, busy=1, size=4, image="img", served=9)
    fleet.publish_heartbeat(
        silent, host="h2", heartbeat_at=time.time() - fleet.DEAD_AFTER_SECONDS - 1
    )
    workers = {w.name: w for w in fleet.list_workers()}
    assert workers[fresh].is_alive() and workers[fresh].warm == 3 and workers[fresh].served == 9
    assert not workers[silent].is_alive()
    assert workers[silent].to_dict()["alive"] is False
    # Alive ones are listed first, so the dashboard shows them on top.
    names = [w.name for w in fleet.list_workers() if w.name in (fresh, silent)]
    assert names == [fresh, silent]


def test_redis_records_expire_by_themselves(redis_store):
    name = _name()
    fleet.publish_heartbeat(name, warm=1)
    ttl = redis_store.ttl(KEY_PREFIX + name)
    assert 0 < ttl <= fleet.RECORD_TTL_SECONDS


def test_garbage_in_the_store_is_skipped_not_fatal(redis_store):
    name = _name()
    redis_store.set(KEY_PREFIX + name, b"{not json")
    redis_store.set(KEY_PREFIX + name + "x", b'["a list"]')
    fleet.publish_heartbeat(name + "ok", warm=2)
    names = [w.name for w in fleet.list_workers()]
    assert name + "ok" in names and name not in names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", 3),
        (0, 0),
        (" 12 ", 12),
        ("-1", None),
        ("abc", None),
        (None, None),
        (True, None),
        ("1e3", None),
        (10**9, None),
    ],
)
def test_pool_size_is_validated(raw, expected):
    if expected is None:
        with pytest.raises(fleet.ControlError, match="whole number from 0 to"):
            fleet.build_control("resize", size=raw)
    else:
        assert fleet.build_control("resize", size=raw)["size"] == expected


def test_unknown_actions_and_missing_run_ids_are_refused_with_a_sentence():
    with pytest.raises(fleet.ControlError, match="Unknown action 'explode'"):
        fleet.build_control("explode")
    with pytest.raises(fleet.ControlError, match="run_id"):
        fleet.build_control("kill_run", run_id="")


def test_group_names_are_valid_for_channels_whatever_the_worker_is_called():
    group = fleet.control_group("host:with/odd chars" + "x" * 200)
    assert group.startswith("pool.control.")
    assert len(group) < 100
    assert all(c.isalnum() or c in "._-" for c in group)


class RecordingPool:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def resize(self, size: int) -> None:
        self.calls.append(("resize", size))

    def recycle(self) -> None:
        raise RuntimeError("docker went away")


class RecordingWorker:
    draining = False

    def drain(self) -> None:
        self.draining = True

    async def kill_run(self, run_id: str) -> bool:
        return False


async def test_handle_control_acts_and_never_raises():
    pool, worker = RecordingPool(), RecordingWorker()
    outcome = await handle_control({"action": "resize", "size": 2}, pool, worker)
    assert outcome.startswith("resize 2: ok") and pool.calls == [("resize", 2)]
    assert (await handle_control({"action": "drain"}, pool, worker)).startswith("drain: ok")
    assert worker.draining
    # A forged or broken message is described, not raised: the control loop must survive it.
    assert "refused" in await handle_control({"action": "resize", "size": "-5"}, pool, worker)
    assert "refused" in await handle_control({"action": "rm -rf"}, pool, worker)
    assert "failed: docker went away" in await handle_control({"action": "recycle"}, pool, worker)
    killed = await handle_control({"action": "kill_run", "run_id": "abc"}, pool, worker)
    assert "not running here" in killed
