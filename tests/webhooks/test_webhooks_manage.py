"""The owner's webhook routes: POST / GET /api/graphs/{id}/webhooks/ and DELETE .../{hook_id}/,
with the owner / other user / anonymous checks of every route under /api/graphs/{id}/; the token
routes' answers that need no run (unknown, malformed and revoked tokens, bodies refused).
The runs themselves are in test_webhook_runs.py (real daphne, worker and Docker)."""

from __future__ import annotations

import hashlib

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import make_graph
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(owner) -> Graph:
    return make_graph(owner, name="Hooked")


def hooks_url(graph_id: int, hook_id: int | None = None) -> str:
    base = f"/api/graphs/{graph_id}/webhooks/"
    return base if hook_id is None else f"{base}{hook_id}/"


def token_of(url: str) -> str:
    assert url.startswith("http://testserver/api/hooks/") and url.endswith("/")
    return url.removeprefix("http://testserver/api/hooks/").removesuffix("/")


def test_owner_creates_lists_and_revokes(owner_client, graph):
    created = owner_client.post(hooks_url(graph.pk))
    assert created.status_code == 201, created.data
    assert set(created.data) == {"id", "url", "created_at"}
    token = token_of(created.data["url"])
    assert len(token) >= 43  # 32 random bytes: 256 bits
    second = owner_client.post(hooks_url(graph.pk)).data
    assert token_of(second["url"]) != token

    listed = owner_client.get(hooks_url(graph.pk))
    assert listed.status_code == 200
    rows = listed.data["results"]
    assert {row["id"] for row in rows} == {created.data["id"], second["id"]}
    assert all(set(row) == {"id", "created_at"} for row in rows)  # never a token
    assert token not in listed.content.decode()

    assert owner_client.delete(hooks_url(graph.pk, created.data["id"])).status_code == 204
    assert [row["id"] for row in owner_client.get(hooks_url(graph.pk)).data["results"]] == [
        second["id"]
    ]
    assert owner_client.delete(hooks_url(graph.pk, created.data["id"])).status_code == 404


def test_the_database_holds_only_the_tokens_hash(owner_client, graph):
    token = token_of(owner_client.post(hooks_url(graph.pk)).data["url"])
    hook = Webhook.objects.get()
    assert hook.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Webhook.objects.values_list().get()]
    assert not any(token in value for value in stored)


def test_other_users_and_anonymous_get_what_the_graph_gives_them(
    owner_client, other_client, anon_client, graph, other_user
):
    hook_id = owner_client.post(hooks_url(graph.pk)).data["id"]
    theirs = make_graph(other_user, name="theirs")
    missing = hooks_url(graph.pk + 1000)
    for client, expected in ((other_client, 404), (anon_client, 401)):
        assert client.get(hooks_url(graph.pk)).status_code == expected
        assert client.post(hooks_url(graph.pk)).status_code == expected
        assert client.delete(hooks_url(graph.pk, hook_id)).status_code == expected
    # Another user's answer is the answer for a graph that does not exist.
    assert other_client.get(hooks_url(graph.pk)).data == other_client.get(missing).data
    # The owner of another graph cannot reach this hook through their own graph.
    assert other_client.delete(hooks_url(theirs.pk, hook_id)).status_code == 404
    assert Webhook.objects.filter(pk=hook_id).exists()
    assert Webhook.objects.count() == 1


def test_a_shared_or_listed_graph_still_keeps_its_hooks_to_the_owner(
    owner_client, other_client, graph
):
    graph.share()
    graph.publish("Listed", "in the gallery")
    assert other_client.get(hooks_url(graph.pk)).status_code == 404
    assert other_client.post(hooks_url(graph.pk)).status_code == 404


@pytest.mark.parametrize(
    "token",
    ["x" * 43, "short", "not a token" + "x" * 40, "x" * 200, "%00" + "x" * 43],
)
def test_unknown_or_malformed_tokens_are_404(anon_client, token):
    answer = anon_client.post(f"/api/hooks/{token}/", {}, format="json")
    assert answer.status_code == 404
    assert answer.json()["detail"]


def test_a_revoked_hook_is_404(owner_client, anon_client, graph):
    created = owner_client.post(hooks_url(graph.pk)).data
    owner_client.delete(hooks_url(graph.pk, created["id"]))
    answer = anon_client.post(created["url"], {"a": 1}, format="json")
    assert answer.status_code == 404
    assert "revoked" in answer.json()["detail"]


def test_deleting_the_graph_deletes_its_hooks(owner_client, anon_client, graph):
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    graph.delete()
    assert not Webhook.objects.exists()
    assert anon_client.post(url, {}, format="json").status_code == 404


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "3", "null"])
def test_a_body_that_is_not_an_object_is_a_400(owner_client, anon_client, graph, body):
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    answer = anon_client.post(url, body, content_type="application/json")
    assert answer.status_code == 400
    assert "inputs" in answer.json()["errors"]


def test_a_body_over_the_limit_is_a_413(owner_client, anon_client, graph, settings):
    settings.WEBHOOK_BODY_BYTES = 1024
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    body = '{"text": "' + "x" * 1024 + '"}'
    answer = anon_client.post(url, body, content_type="application/json")
    assert answer.status_code == 413
    assert "1024 bytes" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ('{"a": NaN}', "application/json", 400),
        ("{" * 100 + "}" * 100, "application/json", 400),
        ('{"a": "\\u0000"}', "application/json", 400),
        ("a=1", "application/x-www-form-urlencoded", 415),
        ("{not json", "application/json", 400),
    ],
)
def test_the_api_body_guards_apply(owner_client, anon_client, graph, body, content_type, expected):
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    answer = anon_client.post(url, body, content_type=content_type)
    assert answer.status_code == expected, answer.content
    assert answer.json()["detail"]


@pytest.mark.parametrize("wait", ["31", "-1", "soon", "nan"])
def test_a_bad_wait_is_a_400(owner_client, anon_client, graph, wait):
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    answer = anon_client.post(f"{url}?wait={wait}", {}, format="json")
    assert answer.status_code == 400 and "wait" in answer.json()["errors"]


def test_the_rate_limit_answers_429_with_retry_after(owner_client, anon_client, graph, settings):
    """WEBHOOK_RATE per hook: the calls past it are 429 before anything else is looked at; another
    hook has its own count. (The calls that pass go on to start a run: without the ASGI server
    here that is a 503; test_webhook_runs.py runs them for real.)"""
    settings.WEBHOOK_RATE = "2/min"
    first = owner_client.post(hooks_url(graph.pk)).data["url"]
    second = owner_client.post(hooks_url(graph.pk)).data["url"]
    passed = [anon_client.post(first, {}, format="json").status_code for _ in range(2)]
    assert 429 not in passed
    limited = anon_client.post(first, {}, format="json")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "too often" in limited.json()["detail"]
    assert anon_client.post(second, {}, format="json").status_code != 429


def test_logs_never_show_a_hook_token(owner_client, anon_client, graph, settings, caplog):
    """Django logs the path of every 4xx answer (a 400, a 429 here): the console handler's filter
    (settings.LOGGING) masks the token in the record before any handler writes it."""
    import logging

    settings.WEBHOOK_RATE = "1/min"
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for _ in range(2):
            anon_client.post(url, "[1]", content_type="application/json")
    messages = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert messages == [
        "Bad Request: /api/hooks/<token>/",
        "Too Many Requests: /api/hooks/<token>/",
    ]
    assert token_of(url) not in caplog.text


def test_a_deactivated_owners_hooks_are_404(owner, owner_client, anon_client, graph):
    """A hook runs as its owner: once the owner's account is deactivated (which every other way
    in refuses), the hook is as unknown as a revoked one, and nothing runs."""
    url = owner_client.post(hooks_url(graph.pk)).data["url"]
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    answer = anon_client.post(url, {}, format="json")
    assert answer.status_code == 404
    assert anon_client.get(f"{url}runs/0b7c0d5e-3f0a-4f59-9a57-3c1d1b0f7e21/").status_code == 404


def test_a_user_has_a_bounded_number_of_hooks(owner, owner_client, graph):
    """Each hook has run slots of its own, apart from its owner's: without a bound on the hooks,
    a user would multiply their own run limit by making hooks. The bound counts all the user's
    graphs."""
    from webhooks.views import MAX_HOOKS_PER_USER

    second = make_graph(owner, name="second")
    for _ in range(MAX_HOOKS_PER_USER - 1):
        assert owner_client.post(hooks_url(graph.pk)).status_code == 201
    assert owner_client.post(hooks_url(second.pk)).status_code == 201
    refused = owner_client.post(hooks_url(second.pk))
    assert refused.status_code == 400
    assert str(MAX_HOOKS_PER_USER) in refused.json()["detail"]
    assert Webhook.objects.filter(graph__owner=owner).count() == MAX_HOOKS_PER_USER
    # Revoking one makes room again.
    hook_id = Webhook.objects.filter(graph=graph).values_list("pk", flat=True).first()
    assert owner_client.delete(hooks_url(graph.pk, hook_id)).status_code == 204
    assert owner_client.post(hooks_url(second.pk)).status_code == 201
