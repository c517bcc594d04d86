"""POST /api/compile/ and GET /api/graphs/{id}/compile/."""

from __future__ import annotations

import pytest

from graphs.models import Graph

GRAPH = {
    "nodes": [
        {
            "id": "v",
            "type": "literal",
            "position": {"x": 0, "y": 0},
            "data": {"params": {"kind": "text", "value": "hi"}},
        },
        {"id": "p", "type": "print", "position": {"x": 0, "y": 1}, "data": {"params": {}}},
    ],
    "edges": [
        {"id": "e", "source": "v", "sourceHandle": "value", "target": "p", "targetHandle": "value"}
    ],
}


@pytest.fixture
def saved(owner) -> Graph:
    return Graph.objects.create(owner=owner, name="hello", **GRAPH)


def test_compile_document(owner_client) -> None:
    response = owner_client.post("/api/compile/", GRAPH, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "code": "print('hi')\n",
        "diagnostics": [],
        "source_map": {"1": "p"},
        "signature": {"inputs": [], "outputs": []},
    }


def test_compile_reports_problems_as_diagnostics(owner_client) -> None:
    response = owner_client.post(
        "/api/compile/", {"nodes": [{"id": "x", "type": "nope"}]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["diagnostics"][0]["code"] == "unknown_node_type"


@pytest.mark.parametrize("body", [[], {"nodes": "x"}, {"nodes": [], "edges": 3}])
def test_compile_rejects_bad_shape(owner_client, body) -> None:
    response = owner_client.post("/api/compile/", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_compile_rejects_too_many_nodes(owner_client, settings) -> None:
    settings.GRAPH_MAX_NODES = 1
    response = owner_client.post("/api/compile/", GRAPH, format="json")
    assert response.status_code == 400


def test_compile_anonymous_401(anon_client) -> None:
    assert anon_client.post("/api/compile/", GRAPH, format="json").status_code == 401


def test_saved_graph_owner(owner_client, saved) -> None:
    response = owner_client.get(f"/api/graphs/{saved.pk}/compile/")
    assert response.status_code == 200
    assert response.json()["code"] == "print('hi')\n"


def test_saved_graph_other_user_404(other_client, saved) -> None:
    assert other_client.get(f"/api/graphs/{saved.pk}/compile/").status_code == 404


def test_saved_graph_anonymous_401(anon_client, saved) -> None:
    assert anon_client.get(f"/api/graphs/{saved.pk}/compile/").status_code == 401


def test_missing_graph_404(owner_client) -> None:
    assert owner_client.get("/api/graphs/999999/compile/").status_code == 404
