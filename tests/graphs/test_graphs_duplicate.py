"""POST /api/graphs/{id}/duplicate/."""

from __future__ import annotations

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph


@pytest.fixture
def graph(owner) -> Graph:
    graph = make_graph(owner, name="Original", description="about it")
    graph.save_new_version({"name": "Original"})  # version 2, one revision
    return graph


@pytest.mark.django_db
class TestDuplicate:
    def test_copy_has_same_content_fresh_version_and_no_history(self, owner_client, owner, graph):
        response = owner_client.post(graph_url(graph, "duplicate/"))
        assert response.status_code == 201
        copy = Graph.objects.get(pk=response.data["id"])
        assert copy.pk != graph.pk
        assert copy.owner == owner
        assert copy.name == "Copy of Original"
        assert (copy.description, copy.nodes, copy.edges, copy.viewport) == (
            graph.description,
            graph.nodes,
            graph.edges,
            graph.viewport,
        )
        assert copy.version == 1
        assert copy.revisions.count() == 0
        assert response.data["nodes"] == graph.nodes

    def test_name_can_be_given(self, owner_client, graph):
        response = owner_client.post(graph_url(graph, "duplicate/"), {"name": "Fork"})
        assert response.status_code == 201
        assert response.data["name"] == "Fork"

    def test_long_name_is_truncated_for_the_default(self, owner_client, owner):
        graph = make_graph(owner, name="n" * 200)
        response = owner_client.post(graph_url(graph, "duplicate/"))
        assert response.status_code == 201
        assert len(response.data["name"]) == 200

    def test_bad_name_is_400(self, owner_client, graph):
        response = owner_client.post(graph_url(graph, "duplicate/"), {"name": "x" * 201})
        assert response.status_code == 400
        assert "name" in response.data["errors"]

    def test_other_user_gets_404(self, other_client, graph):
        assert other_client.post(graph_url(graph, "duplicate/")).status_code == 404
        assert Graph.objects.count() == 1

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.post(graph_url(graph, "duplicate/")).status_code == 401
        assert Graph.objects.count() == 1
