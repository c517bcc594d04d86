"""GET /api/sandbox/: the sandbox's Python, packages and limits, from the workers' heartbeats."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from execution import fleet
from execution.sandbox.describe import describe_image

URL = "/api/sandbox/"
DESCRIPTION = {
    "python": "3.11.2",
    "packages": [{"name": "numpy", "version": "1.24.2"}, {"name": "pandas", "version": "1.5.3"}],
}


@pytest.fixture
def heartbeats():
    names: list[str] = []

    def beat(name: str, **fields):
        names.append(name)
        return fleet.publish_heartbeat(name, **fields)

    yield beat
    for name in names:
        fleet.forget_worker(name)


@pytest.fixture
def owner(django_user_model):
    user = django_user_model.objects.create_user(username="owner", password="pw-123456789")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_a_signed_in_user_gets_the_live_workers_description(owner, heartbeats):
    heartbeats("old-worker", heartbeat_at=time.time() - 3600, sandbox={"python": "2.7"})
    heartbeats("live-worker", sandbox=DESCRIPTION)
    response = owner.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["python"] == "3.11.2"
    assert {"name": "numpy", "version": "1.24.2"} in body["packages"]
    assert body["limits"]["memory_mb"] == settings.RUN_MEMORY_MB
    assert body["limits"]["wall_seconds"] == settings.RUN_WALL_SECONDS


@pytest.mark.django_db
def test_before_any_worker_described_its_image_only_the_limits_are_known(owner, heartbeats):
    heartbeats("undescribed-worker")  # alive, but it has not described its image yet
    response = owner.get(URL)
    assert response.status_code == 200
    assert response.json()["python"] is None and response.json()["packages"] == []
    assert response.json()["limits"]["cpu_seconds"] == settings.RUN_CPU_SECONDS


@pytest.mark.django_db
def test_anonymous_gets_401(heartbeats):
    heartbeats("live-worker", sandbox=DESCRIPTION)
    assert APIClient().get(URL).status_code == 401


@pytest.mark.docker
def test_the_image_describes_its_python_and_packages():
    description = describe_image(settings.SANDBOX_IMAGE)
    assert description["python"].startswith("3.")
    names = {package["name"].lower() for package in description["packages"]}
    assert {"numpy", "pandas", "matplotlib"} <= names
