"""POST /api/auth/logout/."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.auth_support import clean_rate_limits, current_csrf_cookie  # noqa: F401
from tests.conftest import PASSWORD
from tests.fast_passwords import fast_password_hashing  # noqa: F401

URL = "/api/auth/logout/"


def session_client(username: str, enforce_csrf: bool = False) -> APIClient:
    client = APIClient(enforce_csrf_checks=enforce_csrf)
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
class TestLogout:
    def test_owner_signs_out(self, owner):
        client = session_client("owner")
        assert client.post(URL).status_code == 204
        assert client.get("/api/auth/me/").status_code == 401

    def test_signing_out_leaves_other_sessions_alone(self, owner, other_user):
        owner_session = session_client("owner")
        other_session = session_client("mallory")
        assert other_session.post(URL).status_code == 204
        assert owner_session.get("/api/auth/me/").status_code == 200

    def test_anonymous_gets_401(self, anon_client):
        assert anon_client.post(URL).status_code == 401

    def test_needs_csrf_token_from_a_browser(self, owner):
        client = session_client("owner", enforce_csrf=True)
        assert client.post(URL).status_code == 403
        assert client.get("/api/auth/me/").status_code == 200
        client.get("/api/auth/csrf/")
        response = client.post(URL, HTTP_X_CSRFTOKEN=current_csrf_cookie(client))
        assert response.status_code == 204
        assert client.get("/api/auth/me/").status_code == 401
