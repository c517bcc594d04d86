"""The pool survives a Docker engine restart: its containers die with the engine, the engine
refuses calls for a while, and the pool rebuilds itself without anyone's help.

Restarting the shared engine would break everyone else's containers, so this runs a private
dockerd of its own (own socket, data and exec roots, no bridge, no iptables, and its own network
namespace so that it cannot touch the host's interfaces) and restarts that one. The same check
against the real engine: NODEENGINE_TEST_DOCKER_RESTART=1 (see test_sandbox_pool.py).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from execution.sandbox import SandboxPool
from tests.docker_support import SANDBOX_IMAGE, TEST_LIMITS, run_code, unique_worker_name

pytestmark = pytest.mark.docker


class PrivateEngine:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = f"unix://{root}/docker.sock"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.root / "dockerd.log", "ab")
        self.process = subprocess.Popen(
            [
                # Its own network namespace: with --bridge=none dockerd deletes the host's
                # docker0 at start, which would break the shared engine's bridge network.
                "unshare",
                "--net",
                "--",
                "dockerd",
                f"--data-root={self.root}/data",
                f"--exec-root={self.root}/exec",
                f"--pidfile={self.root}/dockerd.pid",
                f"--host={self.socket}",
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false",
                "--default-runtime=runc",
            ],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.client().ping()
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError(f"private dockerd did not start: see {self.root}/dockerd.log")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.socket, version="auto", timeout=30)


@pytest.fixture(scope="module")
def private_engine(docker_ready) -> Iterator[PrivateEngine]:
    if shutil.which("dockerd") is None or shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.fail("this test needs root, dockerd and unshare (apt-get install docker.io)",
                    pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="ne-engine-", dir="/var/tmp"))
    engine = PrivateEngine(root)
    engine.start()
    try:
        # The image travels from the shared engine (no registry here).
        save = subprocess.Popen(["docker", "save", SANDBOX_IMAGE], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "-H", engine.socket, "load", "-q"], stdin=save.stdout, check=True,
            stdout=subprocess.DEVNULL,
        )
        assert save.wait() == 0
        yield engine
    finally:
        engine.stop()
        subprocess.run(["umount", "-R", str(root / "data")], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


async def test_pool_rebuilds_itself_after_the_engine_restarts(private_engine):
    pool = SandboxPool(
        unique_worker_name("restart"), 2, SANDBOX_IMAGE, TEST_LIMITS,
        docker_factory=private_engine.client, max_backoff=1.0, health_interval=0.2,
    )
    await pool.start()
    try:
        await pool.wait_ready(60)
        _, out = await run_code(pool, "print('before')")
        assert out.stdout == "before\n"

        await asyncio.to_thread(private_engine.stop)
        # While the engine is down: the warm containers are noticed dead, starts fail and back off.
        async with asyncio.timeout(30):
            while pool.stats()["warm"] > 0 or pool.stats()["failures"] < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        assert pool.stats()["last_error"]

        await asyncio.to_thread(private_engine.start)
        await pool.wait_ready(60)
        _, out = await asyncio.wait_for(run_code(pool, "print('after')"), 60)
        assert out.stdout == "after\n"
    finally:
        await pool.stop()
    # The containers that died with the engine were removed too: nothing of this worker is left.
    labels = {"label": f"nodeengine.worker={pool.worker_name}"}
    assert private_engine.client().api.containers(all=True, filters=labels) == []
