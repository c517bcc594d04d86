"""Two editors saving the same graph at the same moment: exactly one wins, the other gets 409.

Runs real concurrent transactions against PostgreSQL (transaction=True: each thread has its
own connection), so it exercises the row lock in Graph.save_new_version, not a mock of it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from graphs.models import Graph, StaleVersion
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph

EDITORS = 4


def _race(owner, graph: Graph, make_request) -> list[int]:
    barrier = threading.Barrier(EDITORS)
    statuses: list[int] = []

    def editor(index: int) -> None:
        try:
            client = APIClient()
            client.force_authenticate(owner)
            barrier.wait(timeout=10)
            statuses.append(make_request(client, index).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(index,)) for index in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_from_the_same_version(owner):
    graph = make_graph(owner, name="start")

    def save(client: APIClient, index: int):
        body = {"name": f"editor {index}", "version": 1}
        return client.patch(graph_url(graph), body, format="json")

    statuses = _race(owner, graph, save)
    assert statuses == [200] + [409] * (EDITORS - 1)
    graph.refresh_from_db()
    assert graph.version == 2
    assert graph.name.startswith("editor ")
    assert list(graph.revisions.values_list("version", "name")) == [(1, "start")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_restores_from_the_same_version(owner):
    graph = make_graph(owner, name="v1")
    graph.save_new_version({"name": "v2"})

    def restore(client: APIClient, index: int):
        return client.post(graph_url(graph, "revisions/1/restore/"), {"version": 2})

    statuses = _race(owner, graph, restore)
    assert statuses == [200] + [409] * (EDITORS - 1)
    graph.refresh_from_db()
    assert (graph.name, graph.version) == ("v1", 3)


@pytest.mark.django_db
def test_model_refuses_stale_save_without_writing(owner):
    graph = make_graph(owner, name="v1")
    stale_copy = Graph.objects.get(pk=graph.pk)
    graph.save_new_version({"name": "v2"}, based_on=1)
    with pytest.raises(StaleVersion) as caught:
        stale_copy.save_new_version({"name": "lost"}, based_on=1)
    assert caught.value.current_version == 2
    graph.refresh_from_db()
    assert (graph.name, graph.version, graph.revisions.count()) == ("v2", 2, 1)


@pytest.mark.django_db
def test_graph_deleted_during_an_update_is_404(owner_client, owner, monkeypatch):
    graph = make_graph(owner)
    looked_up = Graph.objects.get(pk=graph.pk)
    Graph.objects.filter(pk=graph.pk).delete()  # another tab deletes it after our lookup
    monkeypatch.setattr("graphs.views.GraphDetailView.get_object", lambda self: looked_up)
    response = owner_client.patch(graph_url(graph), {"name": "late", "version": 1}, format="json")
    assert response.status_code == 404
    assert not Graph.objects.exists()
