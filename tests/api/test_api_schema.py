"""GET /api/schema/ and /api/docs/: the OpenAPI description covers every route, without warnings."""

from __future__ import annotations

import pytest
from django.core.management import call_command

ROUTES = {
    "/api/auth/csrf/": {"get"},
    "/api/auth/register/": {"post"},
    "/api/auth/login/": {"post"},
    "/api/auth/logout/": {"post"},
    "/api/auth/me/": {"get"},
    "/api/auth/token/": {"post", "delete"},
    "/api/graphs/": {"get", "post"},
    "/api/graphs/import/": {"post"},
    "/api/graphs/{id}/": {"get", "put", "patch", "delete"},
    "/api/graphs/{id}/duplicate/": {"post"},
    "/api/graphs/{id}/export/": {"get"},
    "/api/graphs/{id}/revisions/": {"get"},
    "/api/graphs/{id}/revisions/{version}/": {"get"},
    "/api/graphs/{id}/revisions/{version}/restore/": {"post"},
    "/api/graphs/{id}/webhooks/": {"get", "post"},
    "/api/graphs/{id}/webhooks/{hook_id}/": {"delete"},
    "/api/hooks/{token}/": {"post"},
    "/api/hooks/{token}/runs/{run_id}/": {"get"},
}


@pytest.fixture
def schema(anon_client) -> dict:
    response = anon_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_every_route_is_described(schema):
    for path, methods in ROUTES.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/graphs/{id}/", "put"),
        ("/api/graphs/{id}/", "patch"),
        ("/api/graphs/{id}/revisions/{version}/restore/", "post"),
    ],
)
def test_conflict_is_documented(schema, path, method):
    conflict = schema["paths"][path][method]["responses"]["409"]
    ref = conflict["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/VersionConflict")


@pytest.mark.django_db
def test_docs_page_renders(anon_client):
    response = anon_client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning (an undescribed view) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi:")


@pytest.mark.django_db
def test_options_on_every_route_never_fails(owner_client, owner):
    """DRF's OPTIONS describes a view's form; views without a body (logout) made that a 500."""
    from tests.graph_samples import make_graph

    graph = make_graph(owner)
    paths = owner_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in paths:
        url = path.replace("{id}", str(graph.pk)).replace("{version}", "1")
        response = owner_client.options(url)
        assert response.status_code < 500, (url, response.status_code)
        assert response.status_code in (200, 404), (url, response.status_code)


# --- What the live server once answered outside its schema ---


@pytest.mark.django_db
def test_an_unfinished_run_has_a_null_reason(owner_client, owner, schema):
    from execution.models import Execution

    running = Execution.objects.create(user=owner, script_sha256="0" * 64, status="running")
    listed = owner_client.get("/api/executions/").json()["results"]
    assert [row["reason"] for row in listed] == [None]
    assert owner_client.get(f"/api/executions/{running.pk}/").json()["reason"] is None
    reason = schema["components"]["schemas"]["Execution"]["properties"]["reason"]
    assert reason["nullable"] is True
    assert {"$ref": "#/components/schemas/ReasonEnum"} in reason["oneOf"]


@pytest.mark.django_db
def test_share_url_is_absolute_on_every_answer(owner_client, owner):
    """The schema says `uri`: a restore answered a relative `/s/<token>`."""
    from tests.graph_samples import graph_url, make_graph

    graph = make_graph(owner, name="first")
    graph.save_new_version({"name": "second"})
    shared = owner_client.post(graph_url(graph, "share/")).json()
    expected = f"http://testserver/s/{shared['share_token']}"
    assert shared["share_url"] == expected
    restored = owner_client.post(graph_url(graph, "revisions/1/restore/"), {"version": 2})
    assert restored.status_code == 200
    assert restored.json()["share_url"] == expected
    assert owner_client.get(graph_url(graph)).json()["share_url"] == expected


@pytest.mark.django_db
def test_the_event_stream_is_described_as_one(schema):
    events = schema["paths"]["/api/executions/{id}/events/"]["get"]
    assert list(events["responses"]["200"]["content"]) == ["text/event-stream"]
    assert "`data: <the event as JSON>`" in events["responses"]["200"]["description"]
    assert "204" in events["responses"]
    assert any(p["name"] == "Last-Event-ID" and p["in"] == "header" for p in events["parameters"])


@pytest.mark.django_db
def test_graph_null_next_to_code_is_accepted_by_the_schema_and_the_view(owner_client, schema):
    graph = schema["components"]["schemas"]["RunRequest"]["properties"]["graph"]
    assert graph["nullable"] is True
    # In-process (no daphne) an accepted body answers 503; a refused one would be a 400.
    answer = owner_client.post("/api/runs/", {"code": "print(1)", "graph": None}, format="json")
    assert answer.status_code == 503, answer.json()
    both = owner_client.post(
        "/api/runs/", {"code": "print(1)", "graph": {"nodes": [], "edges": []}}, format="json"
    )
    assert both.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/hooks/{token}/", "post"), ("/api/hooks/{token}/runs/{run_id}/", "get")],
)
def test_the_hook_routes_need_no_sign_in_and_say_running_or_done(schema, path, method):
    operation = schema["paths"][path][method]
    assert {"200", "202", "404"} <= set(operation["responses"])
    assert "401" not in operation["responses"]
    assert {} in operation.get("security", [{}])  # the token in the path is the credential
    wait = next(p for p in operation["parameters"] if p["name"] == "wait")
    assert wait["schema"]["maximum"] == 30
