"""Shared fixtures: users and API clients for the owner / other user / anonymous checks."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

# The sandbox's Docker fixtures: docker_ready (fails, never skips, without Docker), make_pool.
from tests.docker_support import docker_ready, make_pool  # noqa: F401

# The execution engine's real-server fixtures (daphne + runpool subprocesses).
from tests.engine_fixtures import engine_servers, engine_token, engine_user  # noqa: F401

PASSWORD = "correct-horse-battery-staple-42"

# CI replays the same examples every run, so a submission cannot fail on a new random draw;
# local runs keep exploring (and found the Try bug pinned in test_compiler_diagnostics).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def no_example_graphs(settings) -> None:
    """Accounts made by tests start empty (the editor's example graphs;
    tests/compiler/test_examples.py turns seeding back on)."""
    settings.SEED_EXAMPLE_GRAPHS = False


@pytest.fixture
def make_user(db):
    def _make(username: str = "alice", **extra):
        return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)

    return _make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def other_user(make_user):
    return make_user("mallory")


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_client(owner) -> APIClient:
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def other_client(other_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(other_user)
    return client
