"""GET / PUT / PATCH / DELETE /api/graphs/{id}/, including optimistic concurrency (409)."""

from __future__ import annotations

import pytest

from graphs.models import Graph, GraphRevision
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph, sample


@pytest.fixture
def graph(owner) -> Graph:
    return make_graph(owner, name="Original")


@pytest.mark.django_db
class TestRetrieve:
    def test_owner_gets_the_whole_document(self, owner_client, graph):
        response = owner_client.get(graph_url(graph))
        assert response.status_code == 200
        assert response.data["name"] == "Original"
        assert response.data["nodes"] == sample()["nodes"]
        assert response.data["edges"] == sample()["edges"]
        assert response.data["version"] == 1
        assert {"created_at", "updated_at", "viewport", "description"} <= set(response.data)

    def test_other_user_gets_404_like_a_missing_graph(self, other_client, graph):
        theirs = other_client.get(graph_url(graph))
        missing = other_client.get(graph_url(graph.pk + 1000))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.data == missing.data

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.get(graph_url(graph)).status_code == 401

    def test_huge_id_is_404(self, owner_client):
        assert owner_client.get(graph_url(10**30)).status_code == 404


@pytest.mark.django_db
class TestUpdate:
    def test_put_replaces_and_bumps_version(self, owner_client, graph):
        body = sample(name="Renamed", version=1, nodes=[], edges=[])
        response = owner_client.put(graph_url(graph), body, format="json")
        assert response.status_code == 200, response.data
        assert response.data["version"] == 2
        graph.refresh_from_db()
        assert (graph.name, graph.nodes, graph.edges, graph.version) == ("Renamed", [], [], 2)

    def test_patch_changes_only_given_fields(self, owner_client, graph):
        response = owner_client.patch(
            graph_url(graph), {"description": "now described", "version": 1}, format="json"
        )
        assert response.status_code == 200
        graph.refresh_from_db()
        assert graph.description == "now described"
        assert graph.name == "Original"
        assert graph.nodes == sample()["nodes"]

    def test_update_keeps_previous_state_as_revision(self, owner_client, graph):
        owner_client.patch(graph_url(graph), {"name": "Second", "version": 1}, format="json")
        revision = GraphRevision.objects.get(graph=graph)
        assert (revision.version, revision.name) == (1, "Original")
        assert revision.nodes == sample()["nodes"]

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_version_is_required(self, owner_client, graph, method):
        body = sample(name="No version")
        response = getattr(owner_client, method)(graph_url(graph), body, format="json")
        assert response.status_code == 400
        assert "version" in response.data["errors"]
        assert response.data["detail"].startswith("version:")
        graph.refresh_from_db()
        assert graph.name == "Original"

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_stale_version_is_409_and_nothing_is_written(self, owner_client, graph, method):
        graph.save_new_version({"name": "Saved elsewhere"})  # now version 2
        body = sample(name="Stale edit", version=1)
        response = getattr(owner_client, method)(graph_url(graph), body, format="json")
        assert response.status_code == 409
        assert response.data["current_version"] == 2
        assert "current version is 2" in response.data["detail"]
        graph.refresh_from_db()
        assert (graph.name, graph.version) == ("Saved elsewhere", 2)
        assert graph.revisions.count() == 1

    def test_future_version_is_also_409(self, owner_client, graph):
        response = owner_client.patch(graph_url(graph), {"name": "x", "version": 5}, format="json")
        assert response.status_code == 409
        assert response.data["current_version"] == 1

    def test_patch_of_nodes_rechecks_existing_edges(self, owner_client, graph):
        only_start = [node for node in sample()["nodes"] if node["id"] == "start"]
        response = owner_client.patch(
            graph_url(graph), {"nodes": only_start, "version": 1}, format="json"
        )
        assert response.status_code == 400
        assert (
            "edges[0] (id 'e1'): target 'say' is not a node of this graph."
            in (response.data["errors"]["edges"])
        )

    def test_other_user_gets_404_and_nothing_changes(self, other_client, graph):
        response = other_client.put(
            graph_url(graph), sample(name="Hijack", version=1), format="json"
        )
        assert response.status_code == 404
        response = other_client.patch(graph_url(graph), {"name": "Hijack", "version": 1})
        assert response.status_code == 404
        graph.refresh_from_db()
        assert (graph.name, graph.version) == ("Original", 1)

    def test_anonymous_gets_401(self, anon_client, graph):
        response = anon_client.patch(graph_url(graph), {"name": "x", "version": 1}, format="json")
        assert response.status_code == 401
        graph.refresh_from_db()
        assert graph.name == "Original"


@pytest.mark.django_db
class TestDelete:
    def test_owner_deletes_graph_and_history(self, owner_client, graph):
        graph.save_new_version({"name": "v2"})
        response = owner_client.delete(graph_url(graph))
        assert response.status_code == 204
        assert not Graph.objects.filter(pk=graph.pk).exists()
        assert not GraphRevision.objects.exists()

    def test_other_user_gets_404(self, other_client, graph):
        assert other_client.delete(graph_url(graph)).status_code == 404
        assert Graph.objects.filter(pk=graph.pk).exists()

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.delete(graph_url(graph)).status_code == 401
        assert Graph.objects.filter(pk=graph.pk).exists()
