"""/api/executions/: own runs only, filters, detail with the output tail.

Owner / other user / anonymous checks, healthchecks style."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from execution.models import Execution
from graphs.models import Graph

pytestmark = pytest.mark.django_db


def make_execution(user, **fields) -> Execution:
    fields.setdefault("script_sha256", "0" * 64)
    return Execution.objects.create(user=user, **fields)


def test_anonymous_gets_401(anon_client, owner):
    run = make_execution(owner)
    assert anon_client.get("/api/executions/").status_code == 401
    assert anon_client.get(f"/api/executions/{run.pk}/").status_code == 401


def test_list_shows_only_own_runs_newest_first(owner_client, owner, other_user):
    older = make_execution(owner, queued_at=timezone.now() - timedelta(minutes=5))
    newer = make_execution(owner)
    make_execution(other_user)
    response = owner_client.get("/api/executions/")
    assert response.status_code == 200
    assert response.data["count"] == 2
    assert [row["id"] for row in response.data["results"]] == [str(newer.pk), str(older.pk)]
    assert "output_tail" not in response.data["results"][0]


def test_filters_by_status_reason_and_graph(owner_client, owner):
    graph = Graph.objects.create(owner=owner, name="g")
    finished = make_execution(owner, status="finished", reason="timeout", graph=graph)
    make_execution(owner, status="finished", reason="ok")
    make_execution(owner, status="queued")

    def ids(query: str) -> list[str]:
        response = owner_client.get(f"/api/executions/?{query}")
        assert response.status_code == 200, response.data
        return [row["id"] for row in response.data["results"]]

    assert len(ids("status=finished")) == 2
    assert ids("reason=timeout") == [str(finished.pk)]
    assert ids(f"graph={graph.pk}") == [str(finished.pk)]
    assert len(ids("status=queued")) == 1


@pytest.mark.parametrize("query", ["status=exploded", "reason=nope", "graph=abc", "graph=-1"])
def test_bad_filter_values_are_400_with_a_sentence(owner_client, query):
    response = owner_client.get(f"/api/executions/?{query}")
    assert response.status_code == 400
    assert response.data["detail"]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("status=exploded", "status: Must be one of: queued, running, finished."),
        ("reason=nope", "reason: Must be one of: ok, error, timeout, cpu_limit, killed, "),
        ("graph=abc", "graph: Must be a graph id (a positive integer)."),
        ("graph=-1", "graph: Must be a graph id (a positive integer)."),
        ("graph=" + "9" * 19, "graph: Must be a graph id (a positive integer)."),
    ],
)
def test_bad_filter_values_name_what_is_allowed(owner_client, query, detail):
    response = owner_client.get(f"/api/executions/?{query}")
    assert response.status_code == 400
    assert response.data["detail"].startswith(detail)


def test_empty_filter_values_are_ignored(owner_client, owner):
    make_execution(owner)
    response = owner_client.get("/api/executions/?status=&reason=&graph=")
    assert response.status_code == 200 and response.data["count"] == 1


def test_ordering_by_duration(owner_client, owner):
    slow = make_execution(owner, duration_ms=900)
    fast = make_execution(owner, duration_ms=10)
    response = owner_client.get("/api/executions/?ordering=duration_ms")
    assert [row["id"] for row in response.data["results"]] == [str(fast.pk), str(slow.pk)]


def test_pagination(owner_client, owner):
    for _ in range(3):
        make_execution(owner)
    response = owner_client.get("/api/executions/?limit=2")
    assert response.data["count"] == 3
    assert len(response.data["results"]) == 2
    assert response.data["next"]


def test_detail_has_output_tail(owner_client, owner):
    run = make_execution(owner, status="finished", reason="ok", exit_code=0, output_tail="hi\n")
    response = owner_client.get(f"/api/executions/{run.pk}/")
    assert response.status_code == 200
    assert response.data["output_tail"] == "hi\n"
    assert response.data["exit_code"] == 0


def test_another_users_run_is_404(other_client, owner):
    run = make_execution(owner)
    assert other_client.get(f"/api/executions/{run.pk}/").status_code == 404


def test_graph_deleted_keeps_the_run(owner_client, owner):
    graph = Graph.objects.create(owner=owner, name="g")
    run = make_execution(owner, graph=graph)
    graph.delete()
    response = owner_client.get(f"/api/executions/{run.pk}/")
    assert response.status_code == 200
    assert response.data["graph"] is None


def test_schema_describes_executions(owner_client):
    response = owner_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"] if hasattr(response, "json") else {}
    assert "/api/executions/" in paths
    params = {p["name"] for p in paths["/api/executions/"]["get"]["parameters"]}
    assert {"status", "reason", "graph", "ordering", "limit", "offset"} <= params
