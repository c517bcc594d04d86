"""Helpers for the operations tests: their own Redis database, and settings that put this test
process in Redis mode (heartbeat store + channel layer). A private redis-server is
harness/redis_server.py's."""

from __future__ import annotations

import os
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
