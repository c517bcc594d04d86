"""/api/graphs/{id}/revisions/ (list), .../{version}/ (fetch) and .../{version}/restore/."""

from __future__ import annotations

import pytest

from graphs.models import Graph, GraphRevision
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph, sample


@pytest.fixture
def graph(owner) -> Graph:
    """Version 3, with revisions for versions 1 ("first") and 2 ("second")."""
    graph = make_graph(owner, name="first")
    graph.save_new_version({"name": "second", "nodes": [], "edges": []})
    graph.save_new_version({"name": "third"})
    return graph


@pytest.mark.django_db
class TestList:
    def test_newest_first_and_paginated(self, owner_client, graph):
        response = owner_client.get(graph_url(graph, "revisions/"))
        assert response.status_code == 200
        assert response.data["count"] == 2
        assert [row["version"] for row in response.data["results"]] == [2, 1]
        assert [row["name"] for row in response.data["results"]] == ["second", "first"]
        assert "nodes" not in response.data["results"][0]
        page = owner_client.get(graph_url(graph, "revisions/"), {"limit": 1, "offset": 1})
        assert [row["version"] for row in page.data["results"]] == [1]

    def test_history_is_trimmed_to_the_setting(self, owner_client, owner, settings):
        settings.GRAPH_REVISIONS_KEPT = 3
        graph = make_graph(owner, name="v1")
        for version in range(2, 8):
            graph.save_new_version({"name": f"v{version}"})
        response = owner_client.get(graph_url(graph, "revisions/"))
        assert [row["version"] for row in response.data["results"]] == [6, 5, 4]
        assert GraphRevision.objects.filter(graph=graph).count() == 3

    def test_other_user_gets_404(self, other_client, graph):
        assert other_client.get(graph_url(graph, "revisions/")).status_code == 404

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.get(graph_url(graph, "revisions/")).status_code == 401


@pytest.mark.django_db
class TestFetch:
    def test_owner_gets_the_old_document(self, owner_client, graph):
        response = owner_client.get(graph_url(graph, "revisions/1/"))
        assert response.status_code == 200
        assert response.data["version"] == 1
        assert response.data["name"] == "first"
        assert response.data["nodes"] == sample()["nodes"]
        assert response.data["edges"] == sample()["edges"]
        assert response.data["viewport"] == sample()["viewport"]

    def test_unknown_version_is_404(self, owner_client, graph):
        assert owner_client.get(graph_url(graph, "revisions/3/")).status_code == 404

    def test_revision_of_another_graph_is_404(self, owner_client, owner, graph):
        other_graph = make_graph(owner)
        assert owner_client.get(graph_url(other_graph, "revisions/1/")).status_code == 404

    def test_other_user_gets_404(self, other_client, graph):
        assert other_client.get(graph_url(graph, "revisions/1/")).status_code == 404

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.get(graph_url(graph, "revisions/1/")).status_code == 401


@pytest.mark.django_db
class TestRestore:
    def test_restore_is_a_new_save(self, owner_client, graph):
        response = owner_client.post(graph_url(graph, "revisions/1/restore/"), {"version": 3})
        assert response.status_code == 200, response.data
        assert response.data["version"] == 4
        assert response.data["name"] == "first"
        assert response.data["nodes"] == sample()["nodes"]
        graph.refresh_from_db()
        assert (graph.name, graph.version) == ("first", 4)
        # The state that was current before the restore is kept too.
        assert graph.revisions.get(version=3).name == "third"

    def test_stale_version_is_409_and_nothing_changes(self, owner_client, graph):
        response = owner_client.post(graph_url(graph, "revisions/1/restore/"), {"version": 2})
        assert response.status_code == 409
        assert response.data["current_version"] == 3
        graph.refresh_from_db()
        assert (graph.name, graph.version) == ("third", 3)
        assert graph.revisions.count() == 2

    @pytest.mark.parametrize("body", [{}, {"version": "three"}, {"version": 0}])
    def test_version_is_required(self, owner_client, graph, body):
        response = owner_client.post(graph_url(graph, "revisions/1/restore/"), body, format="json")
        assert response.status_code == 400
        assert "version" in response.data["errors"]

    def test_unknown_revision_is_404(self, owner_client, graph):
        response = owner_client.post(graph_url(graph, "revisions/9/restore/"), {"version": 3})
        assert response.status_code == 404

    def test_other_user_gets_404(self, other_client, graph):
        response = other_client.post(graph_url(graph, "revisions/1/restore/"), {"version": 3})
        assert response.status_code == 404
        graph.refresh_from_db()
        assert graph.version == 3

    def test_anonymous_gets_401(self, anon_client, graph):
        response = anon_client.post(graph_url(graph, "revisions/1/restore/"), {"version": 3})
        assert response.status_code == 401
