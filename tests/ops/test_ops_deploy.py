"""Deployment files: docker-compose.yml validates and is wired as documented, .env.example lists
every setting, and the web/worker image builds on this machine."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str]:
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail(
        "Neither `docker compose` nor `docker-compose` is installed: "
        "apt-get install docker-compose (Debian bookworm ships v1.29).",
        pytrace=False,
    )


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_IMAGE") and k not in ("SECRET_KEY", "COMPOSE_FILE")
    }
    return subprocess.run(
        [
            *compose_command(),
            "--project-directory",
            str(ROOT),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "config",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose_config(SECRET_KEY="compose-test-secret")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_has_the_services_with_health_checks(config):
    services = config["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "sandbox-image"} <= set(services)
    assert services["postgres"]["healthcheck"]["test"] and services["redis"]["healthcheck"]["test"]
    assert (
        services["postgres"]["image"] == "postgres:15" and services["redis"]["image"] == "redis:7"
    )
    assert services["sandbox-image"]["build"]["args"]["BASE_IMAGE"] == "python:3.11-slim"


def test_web_and_worker_wait_for_healthy_services_and_the_migration(config):
    services = config["services"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["sandbox-image"]["condition"] == (
        "service_completed_successfully"
    )
    assert "daphne" in services["web"]["command"] and "runpool" in services["worker"]["command"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]


def test_only_the_worker_reaches_the_docker_socket(config):
    for name, service in config["services"].items():
        volumes = [
            str(v.get("source") if isinstance(v, dict) else v) for v in service.get("volumes", [])
        ]
        mounts_socket = any("docker.sock" in v for v in volumes)
        assert mounts_socket == (name == "worker"), name


def test_images_are_parametrised_for_local_builds():
    result = compose_config(
        SECRET_KEY="x",
        POSTGRES_IMAGE="nodeengine-postgres:15",
        REDIS_IMAGE="nodeengine-redis:7",
        BASE_IMAGE="nodeengine-base:bookworm",
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["postgres"]["image"] == "nodeengine-postgres:15"
    assert services["redis"]["image"] == "nodeengine-redis:7"
    assert services["migrate"]["build"]["args"]["BASE_IMAGE"] == "nodeengine-base:bookworm"


def test_compose_refuses_to_start_without_a_secret_key():
    result = compose_config()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _setting_names() -> set[str]:
    source = (ROOT / "nodeengine" / "settings.py").read_text()
    return set(re.findall(r'config\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))


def test_env_example_documents_every_setting():
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    names = _setting_names()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "POOL_SIZE"} <= names  # the parse works
    missing = sorted(names - documented)
    assert not missing, f"add these settings of nodeengine/settings.py to .env.example: {missing}"


def test_compose_passes_every_setting_to_the_app(config):
    environment = config["services"]["web"]["environment"]
    # Left unset on purpose: each worker replica then names itself after its container.
    per_replica = {"POOL_WORKER_NAME"}
    tests_only = {"TASK_CENSUS"}  # routes /debug/tasks: never in a deployment
    missing = sorted(_setting_names() - per_replica - tests_only - set(environment))
    assert not missing, (
        f"add these settings to x-app's environment in docker-compose.yml: {missing}"
    )


@pytest.mark.docker
# On a fresh machine the build installs every package (no cached layer): a hang guard of its own
# above the suite's default.
@pytest.mark.timeout(1200)
def test_the_web_and_worker_image_builds_and_starts(docker_ready):
    tag = "nodeengine-app:ops-test"
    build = subprocess.run(
        ["deploy/build_images.sh", "app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "APP_IMAGE": tag},
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--network",
            "none",
            "-e",
            "SECRET_KEY=x",
            tag,
            "sh",
            "-c",
            "id -un && python3 manage.py check && daphne --help >/dev/null && echo ok",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == [
        "app",
        "System",
        "check",
        "identified",
        "no",
        "issues",
        "(0",
        "silenced).",
        "ok",
    ]
