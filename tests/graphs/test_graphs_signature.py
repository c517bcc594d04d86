"""GET /api/graphs/{id}/signature/ (owner only), and `signature` in the graph detail, the gallery
and shared answers (docs/sharing.md keeps the signature route the owner's)."""

from __future__ import annotations

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph

EMPTY: dict[str, list] = {"inputs": [], "outputs": []}


def function_nodes(output: str = "sum") -> list[dict]:
    return [
        {
            "id": "a",
            "type": "graph_input",
            "position": {"x": 0, "y": 0},
            "data": {"params": {"name": "a", "type": "int", "description": "first"}},
        },
        {
            "id": "b",
            "type": "graph_input",
            "position": {"x": 0, "y": 50},
            "data": {"params": {"name": "b", "type": "number"}, "inputs": {"default": 1.5}},
        },
        {
            "id": "out",
            "type": "graph_output",
            "position": {"x": 0, "y": 100},
            "data": {"params": {"name": output}},
        },
    ]


SIGNATURE = {
    "inputs": [
        {"name": "a", "type": "int", "required": True, "default": None, "description": "first"},
        {"name": "b", "type": "number", "required": False, "default": 1.5, "description": ""},
    ],
    "outputs": [{"name": "sum", "type": "any"}],
}


@pytest.fixture
def graph(owner) -> Graph:
    return make_graph(owner, nodes=function_nodes(), edges=[])


@pytest.mark.django_db
class TestSignatureRoute:
    def test_owner_gets_the_signature(self, owner_client, graph):
        response = owner_client.get(graph_url(graph, "signature/"))
        assert response.status_code == 200
        assert response.json() == SIGNATURE

    def test_a_graph_without_inputs_has_an_empty_one(self, owner_client, owner):
        response = owner_client.get(graph_url(make_graph(owner), "signature/"))
        assert response.status_code == 200 and response.json() == EMPTY

    def test_an_older_version_has_its_own_signature(self, owner_client, graph):
        body = {"version": 1, "nodes": function_nodes("total"), "edges": []}
        assert owner_client.patch(graph_url(graph), body, format="json").status_code == 200
        current = owner_client.get(graph_url(graph, "signature/")).json()
        assert current["outputs"] == [{"name": "total", "type": "any"}]
        old = owner_client.get(graph_url(graph, "signature/?version=1"))
        assert old.status_code == 200 and old.json() == SIGNATURE
        same = owner_client.get(graph_url(graph, "signature/?version=2")).json()
        assert same == current
        assert owner_client.get(graph_url(graph, "signature/?version=9")).status_code == 404

    # "²" and "٣" are digits to str.isdigit(); int() refuses the first (was a 500).
    @pytest.mark.parametrize("version", ["x", "-1", "1e3", "99999999999999999999", "²", "٣"])
    def test_a_malformed_version_is_400(self, owner_client, graph, version):
        response = owner_client.get(graph_url(graph, f"signature/?version={version}"))
        assert response.status_code == 400
        assert "version" in response.json()["errors"]

    def test_other_user_gets_404_even_when_shared_or_listed(self, other_client, graph):
        graph.share()
        graph.publish("Listed", "")
        theirs = other_client.get(graph_url(graph, "signature/"))
        missing = other_client.get(graph_url(graph.pk + 1000, "signature/"))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json() == missing.json()

    def test_anonymous_gets_401(self, anon_client, graph):
        assert anon_client.get(graph_url(graph, "signature/")).status_code == 401


@pytest.mark.django_db
class TestSignatureInAnswers:
    def test_the_detail_has_it(self, owner_client, graph):
        assert owner_client.get(graph_url(graph)).json()["signature"] == SIGNATURE

    def test_a_save_answers_the_new_one(self, owner_client, graph):
        body = {"version": 1, "nodes": [], "edges": []}
        response = owner_client.put(graph_url(graph), {**body, "name": "n"}, format="json")
        assert response.status_code == 200 and response.json()["signature"] == EMPTY

    def test_the_gallery_and_the_shared_answers_have_it(self, other_client, graph):
        token = graph.share() and graph.share_token
        graph.publish("Listed", "")
        assert other_client.get(f"/api/shared/{token}/").json()["signature"] == SIGNATURE
        assert other_client.get(f"/api/gallery/{graph.pk}/").json()["signature"] == SIGNATURE

    def test_the_compile_answers_have_it(self, owner_client, graph):
        compiled = owner_client.get(graph_url(graph, "compile/")).json()
        assert compiled["signature"] == SIGNATURE
        document = {"nodes": function_nodes(), "edges": []}
        posted = owner_client.post("/api/compile/", document, format="json").json()
        assert posted["signature"] == SIGNATURE
