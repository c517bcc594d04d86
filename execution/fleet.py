"""The pool fleet as the web and admin side see it: each worker's heartbeats, and the control
messages an operator sends it. The worker's own side (publishing, obeying) is
execution/worker/fleet_member.py.

Heartbeats go to a store every web process can read: Redis when REDIS_URL is set (one key per
worker, `nodeengine:worker:<name>`, a JSON record with a TTL), an in-process dict in embedded
mode (where the pool lives inside the web process). A worker whose last heartbeat is older than
DEAD_AFTER_SECONDS shows as dead; its record lingers for RECORD_TTL_SECONDS so an operator sees it.

Control messages travel over the channel layer to the group `pool.control.<name>`; the worker's
control loop (execution/worker/fleet_member.py) carries each one out on the real pool.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from django.conf import settings

from nodeengine.logging import log_event

logger = logging.getLogger(__name__)

DEAD_AFTER_SECONDS = 10.0
RECORD_TTL_SECONDS = 3600
KEY_PREFIX = "nodeengine:worker:"
CONTROL_GROUP_PREFIX = "pool.control."
CONTROL_MESSAGE_TYPE = "pool.control"
ACTIONS = ("resize", "drain", "undrain", "recycle", "kill_run")
# Channels group names allow only these characters and fewer than 100 of them.
_GROUP_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class ControlError(ValueError):
    """A control request that cannot be sent or carried out; the message says why."""


def max_pool_size() -> int:
    return int(getattr(settings, "POOL_MAX_SIZE", 32))


# --- Worker records ---


@dataclass
class WorkerStatus:
    """One worker as its last heartbeat described it."""

    name: str
    heartbeat_at: float
    host: str = ""
    docker_host_id: str = ""
    pid: int = 0
    image: str = ""
    # The sandbox's OCI runtime (runsc = gVisor, runc) and, when it fell back to runc for want
    # of runsc, the warning that says so.
    runtime: str = ""
    runtime_warning: str = ""
    size: int = 0
    warm: int = 0
    starting: int = 0
    busy: int = 0
    held: int = 0  # of `warm`: taken by the serving loop, waiting for a request (not busy)
    # `warm` by sandbox kind (light, data: execution/sandbox_kind.py), and the pool's aim for
    # each from recent demand.
    warm_by_kind: dict[str, int] = field(default_factory=dict)
    target_by_kind: dict[str, int] = field(default_factory=dict)
    served: int = 0
    failures: int = 0
    last_error: str = ""
    draining: bool = False
    started_at: float = 0.0
    last_control: str = ""
    # The image's Python and packages (execution/sandbox/describe.py); {} until known.
    sandbox: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> WorkerStatus:
        known = {name for name in cls.__dataclass_fields__ if name != "extra"}
        values = {key: value for key, value in record.items() if key in known}
        extra = {key: value for key, value in record.items() if key not in known and key != "extra"}
        return cls(**values, extra=extra)

    def age_seconds(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.heartbeat_at)

    def is_alive(self, now: float | None = None) -> bool:
        return self.age_seconds(now) <= DEAD_AFTER_SECONDS

    def to_dict(self, now: float | None = None) -> dict[str, Any]:
        data = asdict(self)
        data["alive"] = self.is_alive(now)
        data["age_seconds"] = round(self.age_seconds(now), 1)
        return data


class HeartbeatStore(Protocol):
    def put(self, record: dict[str, Any]) -> None: ...
    def all(self) -> list[dict[str, Any]]: ...
    def forget(self, name: str) -> None: ...


class MemoryHeartbeatStore:
    """Embedded mode: the pool runs in this process, so a dict is all anyone can read."""

    def __init__(self) -> None:
        self._records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def put(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._records[record["name"]] = dict(record)
            cutoff = time.time() - RECORD_TTL_SECONDS
            for name in [n for n, r in self._records.items() if r["heartbeat_at"] < cutoff]:
                del self._records[name]

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(record) for record in self._records.values()]

    def forget(self, name: str) -> None:
        with self._lock:
            self._records.pop(name, None)


class RedisHeartbeatStore:
    """One JSON value per worker with a TTL, so a vanished worker's record expires by itself."""

    def __init__(self, url: str) -> None:
        from execution.redis_clients import status_client

        self.client = status_client(url)  # fails fast while Redis is down (/readyz, dashboard)

    def put(self, record: dict[str, Any]) -> None:
        self.client.set(KEY_PREFIX + record["name"], json.dumps(record), ex=RECORD_TTL_SECONDS)

    def all(self) -> list[dict[str, Any]]:
        keys = sorted(self.client.scan_iter(match=KEY_PREFIX + "*", count=500))
        if not keys:
            return []
        records = []
        for raw in self.client.mget(keys):
            if raw is None:  # expired between SCAN and MGET
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict) and "name" in record and "heartbeat_at" in record:
                records.append(record)
        return records

    def forget(self, name: str) -> None:
        self.client.delete(KEY_PREFIX + name)


_memory_store = MemoryHeartbeatStore()
_redis_stores: dict[str, RedisHeartbeatStore] = {}
_redis_lock = threading.Lock()


def get_store() -> HeartbeatStore:
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return _memory_store
    with _redis_lock:
        if url not in _redis_stores:
            _redis_stores[url] = RedisHeartbeatStore(url)
        return _redis_stores[url]


def publish_heartbeat(name: str, **fields: Any) -> dict[str, Any]:
    """Record that worker `name` is alive with these figures (see WorkerStatus for the fields)."""
    record = {key: value for key, value in fields.items() if value is not None}
    record["name"] = name
    record.setdefault("heartbeat_at", time.time())
    get_store().put(record)
    return record


def list_workers() -> list[WorkerStatus]:
    """Every known worker, alive ones first, then by name."""
    now = time.time()
    workers = [WorkerStatus.from_record(record) for record in get_store().all()]
    return sorted(workers, key=lambda w: (not w.is_alive(now), w.name))


def get_worker(name: str) -> WorkerStatus | None:
    return next((w for w in list_workers() if w.name == name), None)


def forget_worker(name: str) -> None:
    get_store().forget(name)


# --- Control messages ---


def control_group(worker_name: str) -> str:
    safe = _GROUP_UNSAFE.sub("_", worker_name)[: 99 - len(CONTROL_GROUP_PREFIX)]
    return CONTROL_GROUP_PREFIX + safe


def build_control(action: str, **args: Any) -> dict[str, Any]:
    """A validated control message; raises ControlError with a sentence for bad input."""
    if action not in ACTIONS:
        raise ControlError(f"Unknown action {action!r}: expected one of {', '.join(ACTIONS)}.")
    message: dict[str, Any] = {"type": CONTROL_MESSAGE_TYPE, "action": action}
    if action == "resize":
        message["size"] = parse_pool_size(args.get("size"))
    elif action == "kill_run":
        run_id = str(args.get("run_id") or "").strip()
        if not run_id or len(run_id) > 64:
            raise ControlError("kill_run needs the run_id of a running execution.")
        message["run_id"] = run_id
    return message


def parse_pool_size(raw: Any) -> int:
    limit = max_pool_size()
    if isinstance(raw, bool):
        raw = None
    try:
        size = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ControlError(f"Pool size must be a whole number from 0 to {limit}.") from None
    if not 0 <= size <= limit:
        raise ControlError(f"Pool size must be a whole number from 0 to {limit}; got {size}.")
    return size


async def asend_control(worker_name: str, action: str, **args: Any) -> dict[str, Any]:
    from channels.layers import get_channel_layer

    message = build_control(action, **args)
    layer = get_channel_layer()
    if layer is None:
        raise ControlError("No channel layer is configured, so no worker can be reached.")
    await layer.group_send(control_group(worker_name), message)
    log_event(logger, "pool.control.sent", worker=worker_name, **_loggable(message))
    return message


def send_control(worker_name: str, action: str, **args: Any) -> dict[str, Any]:
    """Send `action` to worker `worker_name` (sync callers: views, management commands)."""
    return async_to_sync(asend_control)(worker_name, action, **args)


def _loggable(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key != "type"}
