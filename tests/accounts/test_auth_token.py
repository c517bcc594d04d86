"""POST / DELETE /api/auth/token/ and using the token."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.auth_support import clean_rate_limits, clock_fixture  # noqa: F401
from tests.conftest import PASSWORD
from tests.fast_passwords import fast_password_hashing  # noqa: F401

URL = "/api/auth/token/"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
class TestCreate:
    def test_signed_in_user_gets_one_stable_token(self, owner_client, owner):
        first = owner_client.post(URL)
        assert first.status_code == 200
        assert owner_client.post(URL).data["token"] == first.data["token"]
        assert Token.objects.get(user=owner).key == first.data["token"]

    def test_script_gets_a_token_with_credentials_and_uses_it(self, owner):
        response = APIClient().post(URL, {"username": "owner", "password": PASSWORD})
        assert response.status_code == 200
        client = token_client(response.data["token"])
        assert client.get("/api/auth/me/").data["username"] == "owner"
        assert client.get("/api/graphs/").status_code == 200

    def test_wrong_credentials(self, owner):
        response = APIClient().post(URL, {"username": "owner", "password": "nope"})
        assert response.status_code == 400
        assert response.data["detail"] == "Invalid username or password."
        assert not Token.objects.exists()

    def test_credentials_are_rate_limited_like_login(self, owner, clock):
        for _ in range(5):
            APIClient().post(URL, {"username": "owner", "password": "nope"})
        response = APIClient().post(URL, {"username": "owner", "password": PASSWORD})
        assert response.status_code == 429
        assert "Retry-After" in response

    def test_other_user_gets_their_own_token(self, owner_client, other_client, other_user):
        mine = owner_client.post(URL).data["token"]
        theirs = other_client.post(URL).data["token"]
        assert mine != theirs
        assert token_client(theirs).get("/api/auth/me/").data["id"] == other_user.pk

    def test_anonymous_without_credentials_gets_401(self, anon_client):
        response = anon_client.post(URL)
        assert response.status_code == 401
        assert "username" in response.data["detail"]

    def test_invalid_token_is_401(self):
        response = token_client("f" * 40).get("/api/auth/me/")
        assert response.status_code == 401
        assert response.data["detail"] == "Invalid token."


@pytest.mark.django_db
class TestRevoke:
    def test_owner_revokes_and_the_token_stops_working(self, owner):
        key = Token.objects.create(user=owner).key
        client = token_client(key)
        assert client.delete(URL).status_code == 204
        assert client.get("/api/auth/me/").status_code == 401
        assert not Token.objects.exists()

    def test_other_user_revokes_only_their_own(self, owner, other_user, other_client):
        mine = Token.objects.create(user=owner).key
        Token.objects.create(user=other_user)
        assert other_client.delete(URL).status_code == 204
        assert Token.objects.filter(key=mine).exists()
        assert not Token.objects.filter(user=other_user).exists()

    def test_anonymous_gets_401(self, anon_client, owner):
        Token.objects.create(user=owner)
        assert anon_client.delete(URL).status_code == 401
        assert Token.objects.count() == 1
