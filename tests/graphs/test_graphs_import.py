"""POST /api/graphs/import/ (and the export -> import round trip)."""

from __future__ import annotations

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph, sample

URL = "/api/graphs/import/"


def document(**graph_changes):
    body = sample()
    body.update(graph_changes)
    return {
        "format": "nodeengine.graph",
        "format_version": 1,
        "exported_at": "2026-01-02T03:04:05+00:00",
        "graph": body,
    }


@pytest.mark.django_db
class TestImport:
    def test_round_trip_through_export(self, owner_client, owner, other_client, other_user):
        original = make_graph(owner, name="Round trip", description="there and back")
        exported = owner_client.get(graph_url(original, "export/")).json()
        response = other_client.post(URL, exported, format="json")
        assert response.status_code == 201, response.data
        imported = Graph.objects.get(pk=response.data["id"])
        assert imported.owner == other_user
        assert imported.pk != original.pk
        assert imported.snapshot() == original.snapshot()
        assert imported.version == 1

    def test_missing_optional_parts(self, owner_client):
        response = owner_client.post(
            URL,
            {"format": "nodeengine.graph", "format_version": 1, "graph": {"name": "Bare"}},
            format="json",
        )
        assert response.status_code == 201
        assert response.data["nodes"] == []

    @pytest.mark.parametrize(
        ("changes", "field", "text"),
        [
            ({"format": "other.tool"}, "format", "is not a Node Engine graph export"),
            ({"format_version": 3}, "format_version", "version 3 is not supported"),
            ({"format_version": "one"}, "format_version", "valid integer"),
            ({"format": None}, "format", "may not be null"),
            ({"graph": "nope"}, "graph", "dictionary"),
        ],
    )
    def test_bad_envelope_is_a_clear_400(self, owner_client, changes, field, text):
        body = document()
        body.update(changes)
        response = owner_client.post(URL, body, format="json")
        assert response.status_code == 400
        assert field in response.data["errors"]
        assert text in response.data["detail"]
        assert Graph.objects.count() == 0

    @pytest.mark.parametrize("missing", ["format", "format_version", "graph"])
    def test_required_parts(self, owner_client, missing):
        body = document()
        del body[missing]
        response = owner_client.post(URL, body, format="json")
        assert response.status_code == 400
        assert missing in response.data["errors"]

    def test_graph_is_validated_like_a_save(self, owner_client):
        body = document()
        body["graph"]["edges"][0]["source"] = "ghost"
        response = owner_client.post(URL, body, format="json")
        assert response.status_code == 400
        assert response.data["errors"]["graph"]["edges"] == [
            "edges[0] (id 'e1'): source 'ghost' is not a node of this graph."
        ]

    def test_anonymous_gets_401(self, anon_client):
        assert anon_client.post(URL, document(), format="json").status_code == 401
        assert Graph.objects.count() == 0
