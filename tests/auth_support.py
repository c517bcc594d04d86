"""Helpers for the test_auth_* modules: a clean rate-limit cache and a clock tests can move."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

# A multiple of 60, 3600 and 86400: every rate window starts exactly here.
WINDOW_START = 1_800_057_600.0


class Clock:
    def __init__(self) -> None:
        self.now = WINDOW_START

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch) -> Clock:
    """Import as `clock_fixture`, request as `clock` (the alias keeps ruff's F811 quiet)."""
    fake = Clock()
    monkeypatch.setattr("accounts.ratelimit.now", lambda: fake.now)
    return fake


def csrf_client() -> tuple[APIClient, str]:
    """A browser-like client (CSRF enforced) that has fetched its CSRF token."""
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/api/auth/csrf/").data["csrfToken"]
    return client, token


def current_csrf_cookie(client: APIClient) -> str:
    return client.cookies["csrftoken"].value
