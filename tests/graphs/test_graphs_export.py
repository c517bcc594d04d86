"""GET /api/graphs/{id}/export/."""

from __future__ import annotations

import pytest
from django.utils.dateparse import parse_datetime

from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph, sample


@pytest.mark.django_db
class TestExport:
    def test_owner_gets_a_self_contained_document(self, owner_client, owner):
        graph = make_graph(owner, name="Fizz / Buzz!", description="classic")
        response = owner_client.get(graph_url(graph, "export/"))
        assert response.status_code == 200
        document = response.json()
        assert document["format"] == "nodeengine.graph"
        assert document["format_version"] == 2
        assert parse_datetime(document["exported_at"]) is not None
        body = sample()
        assert document["graph"] == {
            "name": "Fizz / Buzz!",
            "description": "classic",
            "nodes": body["nodes"],
            "edges": body["edges"],
            "viewport": body["viewport"],
        }
        assert document["dependencies"] == {"graphs": [], "library": []}
        assert response["Content-Disposition"] == (
            'attachment; filename="Fizz-Buzz.nodeengine.json"'
        )

    def test_other_user_gets_404(self, other_client, owner):
        graph = make_graph(owner)
        assert other_client.get(graph_url(graph, "export/")).status_code == 404

    def test_anonymous_gets_401(self, anon_client, owner):
        graph = make_graph(owner)
        assert anon_client.get(graph_url(graph, "export/")).status_code == 401
