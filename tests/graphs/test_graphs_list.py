"""GET /api/graphs/ (list, search, ordering, pagination) and POST /api/graphs/ (create)."""

from __future__ import annotations

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import make_graph, sample

URL = "/api/graphs/"


@pytest.mark.django_db
class TestList:
    def test_owner_sees_only_own_graphs_without_documents(self, owner_client, owner, other_user):
        mine = make_graph(owner, name="Mine")
        make_graph(other_user, name="Theirs")
        response = owner_client.get(URL)
        assert response.status_code == 200
        assert response.data["count"] == 1
        row = response.data["results"][0]
        assert row["id"] == mine.pk
        assert row["name"] == "Mine"
        assert row["version"] == 1
        assert "nodes" not in row and "edges" not in row

    def test_other_user_does_not_see_owners_graphs(self, other_client, owner):
        make_graph(owner)
        response = other_client.get(URL)
        assert response.status_code == 200
        assert response.data["count"] == 0

    def test_anonymous_gets_401(self, anon_client, owner):
        make_graph(owner)
        response = anon_client.get(URL)
        assert response.status_code == 401
        assert response.data["detail"]
        assert "WWW-Authenticate" in response.headers

    def test_search_by_name_is_case_insensitive(self, owner_client, owner):
        make_graph(owner, name="Fizz buzz")
        make_graph(owner, name="Bubble sort")
        response = owner_client.get(URL, {"search": "FIZZ"})
        assert [row["name"] for row in response.data["results"]] == ["Fizz buzz"]

    def test_search_with_nul_character_is_a_clear_400(self, owner_client, owner):
        make_graph(owner, name="Fizz")
        response = owner_client.get(URL, {"search": "Fi\x00zz"})
        assert response.status_code == 400
        assert "null" in response.data["detail"].lower()

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("name", ["alpha", "bravo", "charlie"]),
            ("-name", ["charlie", "bravo", "alpha"]),
            ("created_at", ["bravo", "alpha", "charlie"]),
            ("-created_at", ["charlie", "alpha", "bravo"]),
        ],
    )
    def test_ordering(self, owner_client, owner, ordering, expected):
        for name in ("bravo", "alpha", "charlie"):
            make_graph(owner, name=name)
        response = owner_client.get(URL, {"ordering": ordering})
        assert [row["name"] for row in response.data["results"]] == expected

    def test_default_ordering_is_most_recently_updated_first(self, owner_client, owner):
        older = make_graph(owner, name="older")
        make_graph(owner, name="newer")
        older.save_new_version({"description": "touched"})
        response = owner_client.get(URL)
        assert [row["name"] for row in response.data["results"]] == ["older", "newer"]

    def test_unknown_ordering_field_is_ignored(self, owner_client, owner):
        make_graph(owner)
        response = owner_client.get(URL, {"ordering": "owner__password"})
        assert response.status_code == 200
        assert response.data["count"] == 1

    def test_limit_offset_pagination(self, owner_client, owner):
        for index in range(5):
            make_graph(owner, name=f"g{index}")
        response = owner_client.get(URL, {"ordering": "name", "limit": 2, "offset": 2})
        assert response.data["count"] == 5
        assert [row["name"] for row in response.data["results"]] == ["g2", "g3"]
        assert "offset=4" in response.data["next"]
        assert response.data["previous"] is not None

    def test_page_size_is_capped(self, owner_client, owner, monkeypatch):
        monkeypatch.setattr("nodeengine.api.pagination.Pages.max_limit", 2)
        for index in range(3):
            make_graph(owner, name=f"g{index}")
        response = owner_client.get(URL, {"limit": 100000})
        assert response.status_code == 200
        assert len(response.data["results"]) == 2

    def test_an_offset_past_the_end_is_an_empty_page(self, owner_client, owner):
        make_graph(owner)
        response = owner_client.get(URL, {"offset": "99999999999999999999999"})
        assert response.status_code == 200
        assert (response.data["count"], response.data["results"]) == (1, [])

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"limit": "-1"}, "limit"),
            ({"limit": "0"}, "limit"),
            ({"offset": "x"}, "offset"),
            ({"offset": "null"}, "offset"),
            ({"offset": "-3"}, "offset"),
            ({"limit": "2.5"}, "limit"),
        ],
    )
    def test_a_malformed_page_is_refused_by_name(self, owner_client, owner, params, name):
        make_graph(owner)
        response = owner_client.get(URL, params)
        assert response.status_code == 400
        assert response.data["detail"].startswith(f"{name}: Must be a whole number")


@pytest.mark.django_db
class TestCreate:
    def test_owner_creates_graph(self, owner_client, owner):
        response = owner_client.post(URL, sample(name="New"), format="json")
        assert response.status_code == 201, response.data
        graph = Graph.objects.get(pk=response.data["id"])
        assert graph.owner == owner
        assert graph.version == 1
        assert graph.nodes == sample()["nodes"]
        assert response.data["edges"] == sample()["edges"]
        assert response.data["viewport"] == {"x": 10, "y": 20, "zoom": 1.5}

    def test_name_alone_creates_an_empty_graph(self, owner_client):
        response = owner_client.post(URL, {"name": "Empty"}, format="json")
        assert response.status_code == 201
        assert response.data["nodes"] == [] and response.data["edges"] == []
        assert response.data["viewport"] == {}

    def test_version_in_body_is_ignored_on_create(self, owner_client):
        response = owner_client.post(URL, sample(version=77), format="json")
        assert response.status_code == 201
        assert response.data["version"] == 1

    def test_owner_cannot_be_chosen(self, owner_client, owner, other_user):
        response = owner_client.post(URL, sample(owner=other_user.pk), format="json")
        assert response.status_code == 201
        assert Graph.objects.get(pk=response.data["id"]).owner == owner

    def test_each_user_gets_their_own_graph(self, other_client, other_user):
        response = other_client.post(URL, sample(), format="json")
        assert response.status_code == 201
        assert Graph.objects.get(pk=response.data["id"]).owner == other_user

    def test_anonymous_gets_401(self, anon_client):
        response = anon_client.post(URL, sample(), format="json")
        assert response.status_code == 401
        assert Graph.objects.count() == 0

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"nodes": []}, "name"),
            ({"name": ""}, "name"),
            ({"name": "x" * 201}, "name"),
            ({"name": "ok", "description": "d" * 10_001}, "description"),
        ],
    )
    def test_bad_fields_name_the_field(self, owner_client, body, field):
        response = owner_client.post(URL, body, format="json")
        assert response.status_code == 400
        assert field in response.data["errors"]
        assert response.data["detail"].startswith(f"{field}:")

    def test_non_object_body_is_400(self, owner_client):
        response = owner_client.post(URL, [1, 2], format="json")
        assert response.status_code == 400
        assert Graph.objects.count() == 0
