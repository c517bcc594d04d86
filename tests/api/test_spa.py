"""The editor's pages (nodeengine/spa.py), its assets and static files (WhiteNoise), DEBUG off."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client


@pytest.fixture
def dist(tmp_path: Path, settings) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><div id="root"></div>')
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('editor')")
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/graphs/12", "/graphs/12/"])
def test_spa_routes_answer_the_page_with_a_csrf_cookie(dist, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert b'<div id="root">' in b"".join(response.streaming_content)
    assert "csrftoken" in response.cookies
    assert response["Cache-Control"] == "no-cache"


def test_assets_are_served_with_debug_off(dist, settings):
    assert settings.DEBUG is False
    response = Client().get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert b"editor" in b"".join(response.streaming_content)
    assert "immutable" in response["Cache-Control"]


def test_missing_asset_and_traversal_are_404(dist):
    assert Client().get("/assets/nope.js").status_code == 404
    assert Client().get("/assets/../index.html").status_code == 404
    assert Client().get("/assets/%2e%2e/index.html").status_code == 404


def test_unbuilt_editor_says_how_to_build_it(tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path / "missing"
    response = Client().get("/")
    assert response.status_code == 503
    assert b"make frontend" in response.content


def test_spa_routes_do_not_swallow_the_api(dist, db):
    response = Client().get("/api/graphs/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_post_to_a_page_is_refused(dist):
    assert Client().post("/").status_code == 405


def test_admin_static_files_are_served_with_debug_off(settings):
    """The admin's CSS (and the pool dashboard's) comes from the apps' static folders through
    WhiteNoise, with no collectstatic step and DEBUG off."""
    assert settings.DEBUG is False
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content)
    assert Client().get("/static/admin/css/nope.css").status_code == 404


async def test_assets_are_served_by_the_async_stack(dist):
    """Under daphne the middleware runs in async mode: files still come back, the rest goes on."""
    from django.test import AsyncClient

    response = await AsyncClient().get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert b"editor" in b"".join(response.streaming_content)
    assert "immutable" in response["Cache-Control"]
    assert (await AsyncClient().get("/assets/nope.js")).status_code == 404
    page = await AsyncClient().get("/login")
    assert page.status_code == 200 and page["Cache-Control"] == "no-cache"
    assert b'<div id="root">' in b"".join(page.streaming_content)
