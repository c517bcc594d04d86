"""Helpers for the operations tests: their own Redis database, a private redis-server, and
settings that put this test process in Redis mode (heartbeat store + channel layer)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

OPS_REDIS_DB = 7
KEY_PREFIX = "nodeengine:worker:"


def ops_redis_url() -> str:
    """Redis database 7 on the server the suite uses (TEST_REDIS_URL), unless overridden."""
    explicit = os.environ.get("OPS_TEST_REDIS_URL")
    if explicit:
        return explicit
    base = urlparse(os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0")
    return f"redis://{base.hostname or '127.0.0.1'}:{base.port or 6379}/{OPS_REDIS_DB}"


def redis_settings(settings: Any, url: str) -> None:
    """Point this process's heartbeat store and channel layer at `url` (pytest `settings`)."""
    settings.REDIS_URL = url
    settings.EMBEDDED = False
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "capacity": 1000, "expiry": 60},
        }
    }


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # e.g. Redis restarting: keep polling
            last_error = exc
        time.sleep(0.2)
    raise AssertionError(
        f"timed out after {timeout} s waiting for {what} (last error: {last_error})"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """Our own redis-server on a free port: stopped and started without touching the shared one."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"private redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
