"""POST /api/auth/register/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.auth_support import clean_rate_limits, clock_fixture, csrf_client  # noqa: F401
from tests.fast_passwords import fast_password_hashing  # noqa: F401

URL = "/api/auth/register/"
GOOD_PASSWORD = "tangerine-submarine-77"
User = get_user_model()


def register(client=None, **body):
    body = {"username": "newcomer", "password": GOOD_PASSWORD, **body}
    client = client or APIClient()
    return client, client.post(URL, body, format="json")


@pytest.mark.django_db
class TestRegister:
    def test_creates_account_and_signs_in(self):
        client, response = register(email="new@example.com")
        assert response.status_code == 201
        user = User.objects.get(username="newcomer")
        assert response.data == {"id": user.pk, "username": "newcomer", "is_staff": False}
        assert user.email == "new@example.com"
        assert user.check_password(GOOD_PASSWORD)
        assert client.get("/api/auth/me/").data["id"] == user.pk

    def test_signed_in_user_registering_gets_a_new_separate_account(self, owner_client, owner):
        _, response = register(owner_client)
        assert response.status_code == 201
        assert response.data["id"] != owner.pk

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("abc", "This password is too short. It must contain at least 8 characters."),
            ("password", "This password is too common."),
            ("8172635409", "This password is entirely numeric."),
            ("newcomer1", "The password is too similar to the username."),
        ],
    )
    def test_password_validators(self, password, message):
        _, response = register(password=password)
        assert response.status_code == 400
        assert message in response.data["errors"]["password"]
        assert response.data["detail"].startswith("password: ")
        assert not User.objects.filter(username="newcomer").exists()

    @pytest.mark.parametrize(
        ("username", "text"),
        [
            ("bad name!", "Enter a valid username"),
            ("", "may not be blank"),
            ("x" * 151, "no more than 150 characters"),
        ],
    )
    def test_username_is_validated(self, username, text):
        _, response = register(username=username)
        assert response.status_code == 400
        assert text in response.data["errors"]["username"][0]

    def test_taken_username_case_insensitively(self, owner):
        _, response = register(username="Owner")
        assert response.status_code == 400
        assert response.data["detail"] == "username: A user with that username already exists."

    def test_bad_email(self):
        _, response = register(email="not-an-email")
        assert response.status_code == 400
        assert "email" in response.data["errors"]

    def test_browser_needs_the_csrf_token(self):
        _, response = register(APIClient(enforce_csrf_checks=True))
        assert response.status_code == 403
        assert not User.objects.exists()
        client, token = csrf_client()
        response = client.post(
            URL,
            {"username": "newcomer", "password": GOOD_PASSWORD},
            format="json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 201

    def test_counts_against_the_per_address_limit(self, clock, settings):
        settings.LOGIN_RATE_PER_IP = "2/min"
        assert register(username="one")[1].status_code == 201
        assert register(username="two")[1].status_code == 201
        _, response = register(username="three")
        assert response.status_code == 429
        assert "Retry-After" in response
        assert not User.objects.filter(username="three").exists()

    def test_refused_attempts_count_too(self, clock, settings, owner):
        settings.LOGIN_RATE_PER_IP = "2/min"
        assert register(username="owner")[1].status_code == 400  # taken
        assert register(username="Owner")[1].status_code == 400
        assert register(username="owner")[1].status_code == 429  # no more probing
