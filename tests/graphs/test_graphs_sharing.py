"""Sharing: a graph's read-only link and gallery listing, the gallery, shared graphs and forks.

Every route with its owner / other user / anonymous / revoked-link check (docs/sharing.md).
"""

from __future__ import annotations

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(owner) -> Graph:
    return make_graph(owner, name="Original", description="about it")


def shared(graph: Graph) -> str:
    graph.share()
    return str(graph.share_token)


class TestShareLink:
    def test_owner_creates_then_gets_the_same_link(self, owner_client, graph):
        first = owner_client.post(graph_url(graph, "share/"))
        assert first.status_code == 201
        token = first.data["share_token"]
        assert len(token) >= 32 and first.data["share_url"].endswith(f"/s/{token}")
        again = owner_client.post(graph_url(graph, "share/"))
        assert again.status_code == 200 and again.data["share_token"] == token
        detail = owner_client.get(graph_url(graph)).data
        assert detail["share_token"] == token and detail["share_url"].endswith(f"/s/{token}")

    def test_revoking_ends_access_at_once_and_a_new_link_differs(
        self, owner_client, other_client, graph
    ):
        token = shared(graph)
        assert other_client.get(f"/api/shared/{token}/").status_code == 200
        assert owner_client.delete(graph_url(graph, "share/")).status_code == 204
        assert other_client.get(f"/api/shared/{token}/").status_code == 404
        assert owner_client.get(graph_url(graph)).data["share_url"] is None
        renewed = owner_client.post(graph_url(graph, "share/")).data["share_token"]
        assert renewed != token

    def test_other_user_and_anonymous_cannot_share_or_revoke(
        self, other_client, anon_client, graph
    ):
        for method in ("post", "delete"):
            assert getattr(other_client, method)(graph_url(graph, "share/")).status_code == 404
            assert getattr(anon_client, method)(graph_url(graph, "share/")).status_code == 401
        graph.refresh_from_db()
        assert graph.share_token is None


class TestSharedGraph:
    def test_a_reader_sees_the_document_and_nothing_of_the_owners(self, other_client, graph):
        token = shared(graph)
        answer = other_client.get(f"/api/shared/{token}/")
        assert answer.status_code == 200
        assert answer.data["source"] == "link" and answer.data["owner"] == "owner"
        assert (answer.data["nodes"], answer.data["edges"]) == (graph.nodes, graph.edges)
        assert "share_token" not in answer.data and "gallery" not in answer.data

    def test_the_owners_own_route_stays_private(self, other_client, graph):
        shared(graph)
        assert other_client.get(graph_url(graph)).status_code == 404
        assert other_client.get(graph_url(graph, "revisions/")).status_code == 404
        assert other_client.patch(graph_url(graph), {"name": "x", "version": 1}).status_code == 404

    @pytest.mark.parametrize("token", ["nope", "x" * 65, "%00"])
    def test_unknown_tokens_are_404(self, other_client, graph, token):
        shared(graph)
        assert other_client.get(f"/api/shared/{token}/").status_code == 404

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.get(f"/api/shared/{shared(graph)}/").status_code == 401


class TestGallery:
    def test_owner_lists_updates_and_unlists(self, owner_client, other_client, graph):
        body = {"title": "A fine graph", "description": "It prints."}
        listed = owner_client.put(graph_url(graph, "gallery/"), body, format="json")
        assert listed.status_code == 200 and listed.data["title"] == "A fine graph"
        published_at = listed.data["published_at"]
        rows = other_client.get("/api/gallery/").data["results"]
        assert [(r["id"], r["title"], r["owner"]) for r in rows] == [
            (graph.pk, "A fine graph", "owner")
        ]
        changed = owner_client.put(graph_url(graph, "gallery/"), {"title": "Better"}, format="json")
        assert changed.data["published_at"] == published_at  # first listing time is kept
        assert owner_client.get(graph_url(graph)).data["gallery"]["title"] == "Better"
        detail = other_client.get(f"/api/gallery/{graph.pk}/")
        assert detail.status_code == 200 and detail.data["source"] == "gallery"
        assert owner_client.delete(graph_url(graph, "gallery/")).status_code == 204
        assert other_client.get("/api/gallery/").data["results"] == []
        assert other_client.get(f"/api/gallery/{graph.pk}/").status_code == 404

    def test_search(self, other_client, owner):
        make_graph(owner).publish("Fizzbuzz", "classic")
        make_graph(owner).publish("Primes", "sieve")
        rows = other_client.get("/api/gallery/?search=sieve").data["results"]
        assert [r["title"] for r in rows] == ["Primes"]

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"title": ""},
            {"title": "x" * 201},
            {"title": 5},
            {"title": "t", "description": "d" * 2001},
        ],
    )
    def test_bad_listings_are_400(self, owner_client, graph, body):
        answer = owner_client.put(graph_url(graph, "gallery/"), body, format="json")
        assert answer.status_code == 400
        graph.refresh_from_db()
        assert not graph.in_gallery

    def test_other_user_and_anonymous_cannot_list(self, other_client, anon_client, graph):
        body = {"title": "mine now"}
        assert (
            other_client.put(graph_url(graph, "gallery/"), body, format="json").status_code == 404
        )
        assert anon_client.put(graph_url(graph, "gallery/"), body, format="json").status_code == 401
        assert other_client.delete(graph_url(graph, "gallery/")).status_code == 404
        assert anon_client.get("/api/gallery/").status_code == 401
        assert anon_client.get(f"/api/gallery/{graph.pk}/").status_code == 401

    def test_an_unlisted_graph_is_not_in_the_gallery(self, other_client, graph):
        assert other_client.get(f"/api/gallery/{graph.pk}/").status_code == 404


class TestFork:
    def test_a_reader_forks_a_shared_graph_into_their_own(self, other_client, other_user, graph):
        token = shared(graph)
        answer = other_client.post(graph_url(graph, "fork/"), {"share_token": token}, format="json")
        assert answer.status_code == 201
        fork = Graph.objects.get(pk=answer.data["id"])
        assert fork.owner == other_user and fork.forked_from == graph and fork.version == 1
        assert (fork.nodes, fork.edges, fork.name) == (graph.nodes, graph.edges, "Original")
        assert answer.data["forked_from"] == graph.pk
        assert "Original" in fork.forked_from_note and "owner" in fork.forked_from_note
        assert fork.share_token is None and not fork.in_gallery

    def test_a_fork_is_independent_of_its_original(self, owner_client, other_client, graph):
        token = shared(graph)
        fork_id = other_client.post(
            graph_url(graph, "fork/"), {"share_token": token, "name": "Mine"}, format="json"
        ).data["id"]
        other_client.patch(
            graph_url(fork_id), {"nodes": [], "edges": [], "version": 1}, format="json"
        )
        graph.refresh_from_db()
        assert graph.nodes  # the original is untouched
        assert owner_client.delete(graph_url(graph)).status_code == 204
        fork = Graph.objects.get(pk=fork_id)
        assert fork.forked_from is None and "Original" in fork.forked_from_note

    def test_gallery_graphs_fork_without_a_token_and_owners_fork_their_own(
        self, owner_client, other_client, graph
    ):
        assert other_client.post(graph_url(graph, "fork/")).status_code == 404
        assert owner_client.post(graph_url(graph, "fork/")).status_code == 201
        graph.publish("Listed", "")
        assert other_client.post(graph_url(graph, "fork/")).status_code == 201

    def test_wrong_or_revoked_tokens_and_anonymous(self, other_client, anon_client, graph):
        token = shared(graph)
        for wrong in ("nope", token[:-1]):
            body = {"share_token": wrong}
            assert (
                other_client.post(graph_url(graph, "fork/"), body, format="json").status_code == 404
            )
        graph.revoke_share()
        body = {"share_token": token}
        assert other_client.post(graph_url(graph, "fork/"), body, format="json").status_code == 404
        assert anon_client.post(graph_url(graph, "fork/"), body, format="json").status_code == 401
        assert Graph.objects.count() == 1

    def test_another_graphs_token_opens_only_that_graph(self, owner, other_client, graph):
        token = shared(make_graph(owner, name="Other one"))
        body = {"share_token": token}
        assert other_client.post(graph_url(graph, "fork/"), body, format="json").status_code == 404
