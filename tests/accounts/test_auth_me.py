"""GET /api/auth/me/."""

from __future__ import annotations

import pytest

from tests.fast_passwords import fast_password_hashing  # noqa: F401

URL = "/api/auth/me/"


@pytest.mark.django_db
class TestMe:
    def test_owner(self, owner_client, owner):
        response = owner_client.get(URL)
        assert response.status_code == 200
        assert response.data == {"id": owner.pk, "username": "owner", "is_staff": False}

    def test_other_user_sees_only_themselves(self, other_client, other_user):
        assert other_client.get(URL).data["id"] == other_user.pk

    def test_staff_flag(self, make_user, api_client_for):
        admin = make_user("boss", is_staff=True)
        assert api_client_for(admin).get(URL).data["is_staff"] is True

    def test_anonymous_gets_401(self, anon_client):
        response = anon_client.get(URL)
        assert response.status_code == 401
        assert response.data["detail"] == "Authentication credentials were not provided."


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    def _client(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _client
