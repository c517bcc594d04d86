"""The Django admin's changelists for users and graphs render for a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import make_graph


@pytest.fixture
def admin_browser(db) -> Client:
    admin = get_user_model().objects.create_superuser("root-admin", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/graphs/graph/", "/admin/graphs/graphrevision/"]
)
def test_changelists_render(admin_browser, owner, url):
    graph = make_graph(owner, name="Listed graph")
    graph.save_new_version({"name": "Listed graph"})
    response = admin_browser.get(url)
    assert response.status_code == 200


def test_graph_change_page_renders(admin_browser, owner):
    graph = make_graph(owner, name="Editable")
    response = admin_browser.get(f"/admin/graphs/graph/{graph.pk}/change/")
    assert response.status_code == 200
    assert b"Editable" in response.content


def test_admin_needs_staff(client, owner):
    client.force_login(owner)
    response = client.get("/admin/graphs/graph/")
    assert response.status_code == 302


def test_admin_edit_is_validated_and_kept_in_history(admin_browser, owner):
    graph = make_graph(owner, name="Before")
    form = {
        "owner": owner.pk,
        "name": "After",
        "description": "",
        "nodes": "[]",
        "edges": "[]",
        "viewport": "{}",
    }
    bad = dict(form, nodes='[{"id": ""}]')
    response = admin_browser.post(f"/admin/graphs/graph/{graph.pk}/change/", bad)
    assert response.status_code == 200
    assert b"nodes[0]: id must be a non-empty string" in response.content
    response = admin_browser.post(f"/admin/graphs/graph/{graph.pk}/change/", form)
    assert response.status_code == 302
    graph.refresh_from_db()
    assert (graph.name, graph.nodes, graph.version) == ("After", [], 2)
    assert graph.revisions.get().name == "Before"


def test_operators_can_end_what_an_owner_shared(admin_browser, owner):
    listed, linked, untouched = (make_graph(owner, name=name) for name in ("a", "b", "c"))
    listed.publish("Listed", "")
    linked.share()
    untouched.share()
    for action, graph in (("take_out_of_gallery", listed), ("revoke_share_links", linked)):
        response = admin_browser.post(
            "/admin/graphs/graph/", {"action": action, "_selected_action": [graph.pk]}
        )
        assert response.status_code == 302
    listed.refresh_from_db()
    linked.refresh_from_db()
    untouched.refresh_from_db()
    assert not listed.in_gallery and linked.share_token is None
    assert untouched.share_token is not None
    page = admin_browser.get("/admin/graphs/graph/?published_at__isempty=0")
    assert page.status_code == 200
