"""/healthz, /readyz (including Redis going down and coming back) and /metrics."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from execution import fleet
from execution.models import Execution
from harness.redis_server import PrivateRedis
from harness.waiting import wait_until
from tests.ops_support import redis_settings


@pytest.fixture
def embedded(settings):
    settings.REDIS_URL = None
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield
    for record in fleet.get_store().all():
        if record["name"].startswith("opshealth-"):
            fleet.forget_worker(record["name"])


def _worker(warm: int = 2, **fields) -> str:
    name = f"opshealth-{uuid.uuid4().hex[:8]}"
    fleet.publish_heartbeat(name, warm=warm, size=4, image="sandbox:test", **fields)
    return name


def test_healthz_answers_anyone(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_with_a_live_warm_worker(client, embedded):
    _worker(warm=2)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["workers"]["warm"] >= 2
    assert body["checks"]["channel_layer"]["ok"] and body["checks"]["database"]["ok"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"warm": 0},  # alive but nothing warm
        {"warm": 3, "draining": True},  # warm but taking no runs
        {"warm": 3, "heartbeat_at": time.time() - 60},  # dead
    ],
)
def test_readyz_says_which_check_failed_without_usable_workers(client, embedded, fields):
    _worker(**fields)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["workers"]
    assert "no live worker with warm capacity" in body["checks"]["workers"]["error"]


@pytest.fixture
def private_redis(settings):
    server = PrivateRedis()
    server.start()
    redis_settings(settings, server.url)
    yield server
    server.stop()


@pytest.mark.django_db
def test_readyz_fails_while_redis_is_down_and_recovers(client, private_redis):
    def ready() -> bool:
        # The worker's heartbeat, as a real one would send it every 2 s.
        fleet.publish_heartbeat("opshealth-redis", warm=2, size=2)
        return client.get("/readyz").status_code == 200

    wait_until(ready, 15, "/readyz to pass with Redis up")

    private_redis.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert {"channel_layer", "workers"} <= set(body["failed"])
    assert "database" not in body["failed"]
    assert body["checks"]["workers"]["error"].startswith("heartbeat store unreachable")

    private_redis.start()  # same port, empty: the worker's next heartbeat repopulates it
    wait_until(ready, 15, "/readyz to recover once Redis is back")


# --- /metrics ---

SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?P<labels>[^}]*)\})?"
    r" (?P<value>[-+]?[0-9.eE+-]+|NaN|[+-]Inf)$"
)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> tuple[dict[str, str], dict[tuple, float]]:
    """A small parser of the text exposition format: TYPE per family and every sample.
    Fails on any line that is not a comment, blank, or a well-formed sample."""
    types: dict[str, str] = {}
    samples: dict[tuple, float] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in {"counter", "gauge", "histogram", "summary", "untyped"}, line
            assert name not in types, f"TYPE given twice for {name}"
            types[name] = kind
            continue
        if line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        labels = tuple(sorted(LABEL.findall(match["labels"] or "")))
        family = re.sub(r"_(bucket|sum|count)$", "", match["name"])
        assert match["name"] in types or family in types, f"sample before its TYPE: {line!r}"
        samples[(match["name"], labels)] = float(match["value"])
    return types, samples


def _finished_run(user, reason: str, ttfo_ms: int | None, duration_ms: int = 100) -> Execution:
    """A run finished the way the run path ends it (client_run.py, `ClientRun._finish`): counted
    for /metrics, and its record finished."""
    from nodeengine import metrics

    now = timezone.now()
    execution = Execution.objects.create(
        user=user,
        script_sha256="0" * 64,
        queued_at=now - timedelta(seconds=2),
        started_at=now - timedelta(seconds=1),
    )
    metrics.observe_finished_run(reason, ttfo_ms)
    execution.mark_finished(
        reason=reason, exit_code=0, duration_ms=duration_ms, time_to_first_output=ttfo_ms
    )
    return execution


def _scrape(client) -> tuple[dict[str, str], dict[tuple, float]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_prometheus(response.content.decode())


def test_metrics_are_valid_prometheus_text_with_runs_queue_workers_and_histogram(
    client, owner, embedded
):
    # The run counters are this process's (earlier tests may have finished runs): compare.
    _, before = _scrape(client)
    for ttfo in (40, 90, 300, 7000):
        _finished_run(owner, "ok", ttfo)
    _finished_run(owner, "timeout", 20000)
    Execution.objects.create(user=owner, script_sha256="0" * 64)  # queued
    name = _worker(
        warm=3,
        busy=1,
        served=12,
        failures=2,
        warm_by_kind={"light": 2, "plot": 1, "data": 0},
        target_by_kind={"light": 2, "plot": 1, "data": 1},
    )
    types, samples = _scrape(client)

    def grew(key: tuple) -> float:
        return samples[key] - before.get(key, 0)

    assert types["nodeengine_runs_total"] == "counter"
    assert grew(("nodeengine_runs_total", (("reason", "ok"),))) == 4
    assert grew(("nodeengine_runs_total", (("reason", "timeout"),))) == 1
    assert grew(("nodeengine_runs_total", (("reason", "memory"),))) == 0
    assert ("nodeengine_runs_total", (("reason", "memory"),)) in samples  # 0 from the start
    assert samples[("nodeengine_queue_length", ())] == 1
    assert samples[("nodeengine_worker_pool_warm_containers", (("worker", name),))] == 3
    assert samples[("nodeengine_worker_pool_busy_containers", (("worker", name),))] == 1
    assert samples[("nodeengine_worker_up", (("worker", name),))] == 1
    by_kind = "nodeengine_worker_pool_warm_containers_by_kind"
    assert samples[(by_kind, (("kind", "light"), ("worker", name)))] == 2
    assert samples[(by_kind, (("kind", "plot"), ("worker", name)))] == 1
    assert samples[(by_kind, (("kind", "data"), ("worker", name)))] == 0
    target = "nodeengine_worker_pool_target_containers_by_kind"
    assert samples[(target, (("kind", "data"), ("worker", name)))] == 1
    assert samples[("nodeengine_worker_runs_served_total", (("worker", name),))] == 12
    assert types["nodeengine_worker_runs_served_total"] == "counter"
    histogram = "nodeengine_time_to_first_output_seconds"
    assert types[histogram] == "histogram"

    def buckets(scraped: dict[tuple, float]) -> dict[float, float]:
        return {
            float(labels[0][1]): value
            for (metric, labels), value in scraped.items()
            if metric == f"{histogram}_bucket"
        }

    after, earlier = buckets(samples), buckets(before)
    assert sorted(after) == [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, float("inf")]
    bucket = {bound: after[bound] - earlier.get(bound, 0) for bound in after}
    assert bucket[0.05] == 1 and bucket[0.1] == 2 and bucket[0.5] == 3
    assert bucket[10] == 4 and bucket[30] == 5 and bucket[float("inf")] == 5
    values = [after[bound] for bound in sorted(after)]
    assert values == sorted(values), "histogram buckets must be cumulative"
    assert grew((f"{histogram}_count", ())) == 5
    assert grew((f"{histogram}_sum", ())) == pytest.approx((40 + 90 + 300 + 7000 + 20000) / 1000)


def test_metrics_do_not_aggregate_the_execution_table(client, owner, embedded):
    """Finished rows written behind the run path's back are not counted: the counters are fed
    by the run path, and a scrape runs only the two indexed queue/running counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, before = _scrape(client)
    Execution.objects.create(
        user=owner, script_sha256="0" * 64, status=Execution.Status.FINISHED, reason="ok"
    )
    with CaptureQueriesContext(connection) as queries:
        _, samples = _scrape(client)
    key = ("nodeengine_runs_total", (("reason", "ok"),))
    assert samples[key] == before[key]
    assert len(queries) <= 2, [query["sql"] for query in queries]


def test_metrics_expose_every_exit_reason(client, embedded, db):
    from execution.exit_reasons import ExitReason

    _, samples = _scrape(client)
    exposed = {
        dict(labels)["reason"] for name, labels in samples if name == "nodeengine_runs_total"
    }
    assert exposed >= {reason.value for reason in ExitReason}
    assert {value for value, _ in Execution._meta.get_field("reason").choices} == set(ExitReason)


def test_metrics_escape_hostile_worker_names(client, embedded, db):
    fleet.publish_heartbeat('opshealth-"evil"\nname\\', warm=1)
    response = client.get("/metrics")
    _, samples = parse_prometheus(response.content.decode())
    assert ("nodeengine_worker_up", (("worker", 'opshealth-\\"evil\\"\\nname\\\\'),)) in samples
    fleet.forget_worker('opshealth-"evil"\nname\\')


def test_metrics_token_when_configured(client, settings, embedded, db):
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics").status_code == 200
