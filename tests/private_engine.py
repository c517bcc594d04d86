"""A private Docker engine for tests that stop, restart or multiply engines.

Restarting or stopping the shared engine would break everyone else's containers, so these run a
dockerd of their own (own socket, data and exec roots, no bridge, no iptables, and its own network
namespace so that it cannot touch the host's interfaces). The sandbox image travels from the
shared engine (there is no registry here).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
import pytest

from harness.waiting import wait_until
from tests.docker_support import SANDBOX_IMAGE


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
        wait_until(
            lambda: self.client().ping(),
            60,
            f"the private dockerd to answer (see {self.root}/dockerd.log)",
            interval=0.2,
        )

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


@contextmanager
def running_private_engine() -> Iterator[PrivateEngine]:
    """A started private engine holding the sandbox image; stopped and removed at the end."""
    if shutil.which("dockerd") is None or shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.fail(
            "this test needs root, dockerd and unshare (apt-get install docker.io)", pytrace=False
        )
    root = Path(tempfile.mkdtemp(prefix="ne-engine-", dir="/var/tmp"))
    engine = PrivateEngine(root)
    engine.start()
    try:
        # The image travels from the shared engine (no registry here).
        save = subprocess.Popen(["docker", "save", SANDBOX_IMAGE], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "-H", engine.socket, "load", "-q"],
            stdin=save.stdout,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        assert save.wait() == 0
        yield engine
    finally:
        engine.stop()
        subprocess.run(["umount", "-R", str(root / "data")], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
