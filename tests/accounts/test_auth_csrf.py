"""GET /api/auth/csrf/, and CSRF enforcement for session (browser) clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.auth_support import clean_rate_limits, csrf_client, current_csrf_cookie  # noqa: F401
from tests.conftest import PASSWORD
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import sample


@pytest.mark.django_db
class TestCsrfEndpoint:
    def test_anonymous_gets_token_and_cookie(self, anon_client):
        response = anon_client.get("/api/auth/csrf/")
        assert response.status_code == 200
        assert len(response.data["csrfToken"]) >= 32
        assert response.cookies["csrftoken"].value

    def test_signed_in_user_gets_it_too(self, owner_client):
        assert owner_client.get("/api/auth/csrf/").status_code == 200

    def test_bad_token_header_does_not_block_it(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        assert client.get("/api/auth/csrf/").status_code == 200


@pytest.mark.django_db
class TestEnforcement:
    def test_session_write_without_token_is_403(self, owner):
        client = APIClient(enforce_csrf_checks=True)
        client.login(username="owner", password=PASSWORD)
        response = client.post("/api/graphs/", sample(), format="json")
        assert response.status_code == 403
        assert "CSRF" in response.data["detail"]

    def test_session_write_with_token_works(self, owner):
        client, token = csrf_client()
        response = client.post(
            "/api/auth/login/",
            {"username": "owner", "password": PASSWORD},
            format="json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 200
        # Django rotates the token at sign-in: the SPA reads the new cookie.
        fresh = current_csrf_cookie(client)
        response = client.post("/api/graphs/", sample(), format="json", HTTP_X_CSRFTOKEN=fresh)
        assert response.status_code == 201

    def test_session_reads_need_no_token(self, owner):
        client = APIClient(enforce_csrf_checks=True)
        client.login(username="owner", password=PASSWORD)
        assert client.get("/api/graphs/").status_code == 200

    def test_token_clients_are_not_subject_to_csrf(self, owner):
        from rest_framework.authtoken.models import Token

        client = APIClient(enforce_csrf_checks=True)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
        assert client.post("/api/graphs/", sample(), format="json").status_code == 201
