"""GET /api/graphs/?has_signature=: the editor's "My graphs" palette section lists the graphs
that can be used as a `graph` node (a Graph input or Graph output node) in one request."""

from __future__ import annotations

import pytest

from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import make_graph


def node(node_id: str, node_type: str, name: str) -> dict:
    return {
        "id": node_id,
        "type": node_type,
        "position": {"x": 0, "y": 0},
        "data": {"params": {"name": name}},
    }


@pytest.fixture
def graphs(owner, other_user):
    return {
        "inputs": make_graph(owner, name="in", nodes=[node("a", "graph_input", "a")], edges=[]),
        "outputs": make_graph(owner, name="out", nodes=[node("o", "graph_output", "o")], edges=[]),
        "plain": make_graph(owner, name="plain"),
        "theirs": make_graph(
            other_user, name="theirs", nodes=[node("a", "graph_input", "a")], edges=[]
        ),
    }


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.django_db
class TestHasSignatureFilter:
    def test_true_lists_own_graphs_with_inputs_or_outputs(self, owner_client, graphs):
        assert names(owner_client.get("/api/graphs/?has_signature=true")) == {"in", "out"}

    def test_false_lists_the_others(self, owner_client, graphs):
        assert names(owner_client.get("/api/graphs/?has_signature=false")) == {"plain"}

    def test_absent_lists_all(self, owner_client, graphs):
        assert names(owner_client.get("/api/graphs/")) == {"in", "out", "plain"}

    def test_a_bad_value_is_a_400_naming_the_parameter(self, owner_client, graphs):
        response = owner_client.get("/api/graphs/?has_signature=yes")
        assert response.status_code == 400
        assert "has_signature" in response.json()["errors"]
