"""`make run` (embedded mode): the pool starts with the server's first request of any kind, and
scripts/announce_ready.py says the server serves only once a warm sandbox waits, so the first Run
after that line never waits for a container to start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.engine import ROOT, Servers
from tests.docker_support import labelled_containers

pytestmark = pytest.mark.docker


def test_the_server_serves_with_a_warm_sandbox_before_any_socket(transactional_db, docker_ready):
    from django.conf import settings

    servers = Servers.create(settings.DATABASES["default"], None, POOL_SIZE="1")
    try:
        servers.start_daphne()
        # No WebSocket is ever opened: asking /readyz alone must bring the pool up.
        announced = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "announce_ready.py"), servers.origin, "90"],
            capture_output=True,
            text=True,
            timeout=100,
        )
        assert announced.returncode == 0, announced.stdout
        assert f"Node Engine serves {servers.origin}/" in announced.stdout
        assert "1 warm sandboxes" in announced.stdout
        worker = servers.env["POOL_WORKER_NAME"]
        assert labelled_containers(docker_ready, worker), "no warm container after ready"
    finally:
        servers.stop()
        servers.remove_leftover_containers()


def test_announce_gives_up_with_what_was_missing():
    from harness.engine import free_port

    # Nobody listens on this port: it says so and exits non-zero instead of waiting for ever.
    url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "announce_ready.py"), url, "1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "never answered 200" in result.stdout
