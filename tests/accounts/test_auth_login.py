"""POST /api/auth/login/, including the per-username and per-address rate limits."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.auth_support import clean_rate_limits, clock_fixture, csrf_client  # noqa: F401
from tests.conftest import PASSWORD
from tests.fast_passwords import fast_password_hashing  # noqa: F401

URL = "/api/auth/login/"


def login(username: str = "owner", password: str = PASSWORD, address: str = "10.0.0.1"):
    client = APIClient()
    response = client.post(
        URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )
    return client, response


@pytest.mark.django_db
class TestLogin:
    def test_owner_signs_in_and_gets_a_session(self, owner):
        client, response = login()
        assert response.status_code == 200
        assert response.data == {"id": owner.pk, "username": "owner", "is_staff": False}
        assert client.get("/api/auth/me/").data["username"] == "owner"

    def test_other_user_signs_in_as_themselves(self, other_user):
        client, response = login("mallory")
        assert response.status_code == 200
        assert client.get("/api/auth/me/").data["id"] == other_user.pk

    @pytest.mark.parametrize(("username", "password"), [("owner", "wrong"), ("nobody", PASSWORD)])
    def test_wrong_credentials_are_400_with_one_message(self, owner, username, password):
        client, response = login(username, password)
        assert response.status_code == 400
        assert response.data["detail"] == "Invalid username or password."
        assert client.get("/api/auth/me/").status_code == 401

    def test_inactive_user_cannot_sign_in(self, owner):
        owner.is_active = False
        owner.save()
        assert login()[1].status_code == 400

    @pytest.mark.parametrize("missing", ["username", "password"])
    def test_missing_field_is_named(self, missing):
        body = {"username": "owner", "password": PASSWORD}
        del body[missing]
        response = APIClient().post(URL, body, format="json")
        assert response.status_code == 400
        assert response.data["detail"] == f"{missing}: This field is required."

    def test_browser_needs_the_csrf_token(self, owner):
        client = APIClient(enforce_csrf_checks=True)
        response = client.post(URL, {"username": "owner", "password": PASSWORD}, format="json")
        assert response.status_code == 403
        assert "/api/auth/csrf/" in response.data["detail"]
        client, token = csrf_client()
        response = client.post(
            URL,
            {"username": "owner", "password": PASSWORD},
            format="json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 200


@pytest.mark.django_db
class TestRateLimit:
    def test_failed_logins_per_username_then_recovery(self, owner, clock):
        for _ in range(5):
            assert login(password="wrong")[1].status_code == 400
        _, response = login()  # even the right password waits: no probing while limited
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert response.data["detail"].startswith("Too many failed sign-ins for this username.")
        clock.advance(59)
        assert login()[1].status_code == 429
        clock.advance(1)
        assert login()[1].status_code == 200

    def test_username_limit_spans_addresses_and_case(self, owner, clock):
        for index in range(5):
            login("OWNER", "wrong", address=f"10.0.1.{index}")
        assert login(address="10.9.9.9")[1].status_code == 429

    def test_limit_for_one_user_does_not_touch_another(self, owner, other_user, clock):
        for _ in range(5):
            login(password="wrong", address="10.0.0.1")
        assert login("mallory", address="10.0.0.2")[1].status_code == 200

    def test_success_clears_the_failures(self, owner, clock):
        for _ in range(4):
            login(password="wrong")
        assert login()[1].status_code == 200
        for _ in range(4):
            assert login(password="wrong")[1].status_code == 400

    def test_all_attempts_per_address(self, owner, clock, settings):
        settings.LOGIN_RATE_PER_IP = "3/min"
        login("a", "x")
        login("b", "y")
        login()  # successes count per address too
        _, response = login("owner", address="10.0.0.1")
        assert response.status_code == 429
        assert response.data["detail"].startswith("Too many sign-in attempts from your address.")
        assert login(address="10.0.0.2")[1].status_code == 200

    def test_window_from_settings(self, owner, clock, settings):
        settings.LOGIN_RATE_PER_USERNAME = "2/h"
        login(password="wrong")
        login(password="wrong")
        _, response = login()
        assert response.status_code == 429
        assert response["Retry-After"] == "3600"
        clock.advance(3600)
        assert login()[1].status_code == 200

    def test_clearing_the_cache_lifts_the_limit(self, owner, clock):
        from django.core.cache import cache

        for _ in range(5):
            login(password="wrong")
        assert login()[1].status_code == 429
        cache.clear()
        assert login()[1].status_code == 200
