"""The pool fleet: what each pool worker reports (heartbeats) and what an operator tells it.

Heartbeats go to a store every web process can read: Redis when REDIS_URL is set (one key per
worker, `nodeengine:worker:<name>`, a JSON record with a TTL), an in-process dict in embedded
mode (where the pool lives inside the web process). A worker whose last heartbeat is older than
DEAD_AFTER_SECONDS shows as dead; its record lingers for RECORD_TTL_SECONDS so an operator sees it.

Control messages travel over the channel layer to the group `pool.control.<name>`; the worker's
control loop hands each one to `handle_control`, which acts on the real pool.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import re
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from django.conf import settings

from nodeengine.logging import log_event

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_SECONDS = 2.0
DEAD_AFTER_SECONDS = 10.0
RECORD_TTL_SECONDS = 3600
KEY_PREFIX = "nodeengine:worker:"
CONTROL_GROUP_PREFIX = "pool.control."
CONTROL_MESSAGE_TYPE = "pool.control"
GROUP_REJOIN_SECONDS = 600
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
        import redis
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
        from redis.retry import Retry

        # Short timeouts and a short retry (reconnect, 0.1 then 0.2 s apart): a connection that
        # dropped (Redis restarted) is reopened within one call, yet a dashboard or /readyz still
        # answers "Redis is down" quickly instead of hanging.
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=2,
            socket_connect_timeout=2,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )

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


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _call(target: Any, method: str, *args: Any) -> Any:
    function = getattr(target, method, None)
    if function is None:
        raise ControlError(f"{type(target).__name__} cannot {method}.")
    return await _maybe_await(function(*args))


async def handle_control(message: dict[str, Any], pool: Any, worker: Any) -> str:
    """Carry out one control message on the real pool / worker; returns what was done.

    Never raises: a bad or failing request is logged and described in the returned text, which
    the worker reports in its next heartbeat (`last_control`).
    """
    action = message.get("action")
    try:
        checked = build_control(str(action), **{k: v for k, v in message.items() if k != "action"})
        if action == "resize":
            await _call(pool, "resize", checked["size"])
            outcome = f"resize {checked['size']}: ok"
        elif action in ("drain", "undrain"):
            # The worker stops (or resumes) taking runs; the pool keeps its containers.
            await _call(worker, action)
            outcome = f"{action}: ok"
        elif action == "recycle":
            await _call(pool, "recycle")
            outcome = "recycle: ok"
        else:
            found = await _call(worker, "kill_run", checked["run_id"])
            result = "ok" if found is not False else "not running here"
            outcome = f"kill_run {checked['run_id']}: {result}"
    except ControlError as exc:
        outcome = f"{action}: refused: {exc}"
    except Exception as exc:
        logger.exception("control action %s failed", action)
        outcome = f"{action}: failed: {exc}"
    log_event(logger, "pool.control.handled", action=str(action), outcome=outcome)
    return f"{outcome} at {time.strftime('%H:%M:%S', time.gmtime())} UTC"


# --- The worker side: heartbeat and control loops ---


def _describe_image(image: str) -> dict[str, Any]:
    from execution.sandbox.describe import describe_image

    return describe_image(image)


def _docker_host_id() -> str:
    """The Docker engine's ID, so workers sharing an engine can clean up after a dead peer."""
    try:
        from execution.sandbox.container import docker_client

        client = docker_client(timeout=5)
        try:
            return str(client.info().get("ID", ""))
        finally:
            client.close()
    except Exception:  # no engine reachable: the heartbeat still goes out without it
        return ""


def _counts(value: Any) -> dict[str, int]:
    """A {kind: count} of a pool's stats, as plain ints (a heartbeat is JSON)."""
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}


@dataclass
class FleetMember:
    """A running worker's identity and its last control outcome, as its heartbeats report them."""

    name: str
    pool: Any
    worker: Any
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    docker_host_id: str = ""
    started_at: float = field(default_factory=time.time)
    last_control: str = ""
    control_channel: str = ""
    joined_at: float = 0.0
    sandbox: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        stats = dict(self.pool.stats())
        return {
            "host": self.host,
            "docker_host_id": self.docker_host_id,
            "pid": self.pid,
            "image": str(stats.get("image", "")),
            "runtime": str(stats.get("runtime") or ""),
            "runtime_warning": str(stats.get("runtime_warning") or "")[:500],
            "size": int(stats.get("size", 0)),
            "warm": int(stats.get("warm", 0)),
            "starting": int(stats.get("starting", 0)),
            "busy": int(stats.get("busy", 0)),
            "held": int(stats.get("held", 0)),
            "warm_by_kind": _counts(stats.get("warm_by_kind")),
            "target_by_kind": _counts(stats.get("target_by_kind")),
            "served": int(stats.get("served", 0)),
            "failures": int(stats.get("failures", 0)),
            "last_error": str(stats.get("last_error") or "")[:500],
            "draining": bool(getattr(self.worker, "draining", False)),
            "started_at": self.started_at,
            "last_control": self.last_control,
            "sandbox": self.sandbox,
        }

    async def _describe_sandbox(self) -> None:
        image = str(self.pool.stats().get("image", ""))
        if image and not self.sandbox:
            self.sandbox = await asyncio.to_thread(_describe_image, image)

    async def beat(self) -> None:
        await asyncio.to_thread(publish_heartbeat, self.name, **self.record())

    async def heartbeat_loop(self, interval: float = HEARTBEAT_INTERVAL_SECONDS) -> None:
        """Publish a heartbeat every `interval` seconds until cancelled; store errors are logged."""
        if not self.docker_host_id:
            self.docker_host_id = await asyncio.to_thread(_docker_host_id)
        # In the background: it starts a container, and heartbeats must not wait for it.
        describing = asyncio.create_task(self._describe_sandbox())
        try:
            await self.cleanup_dead_peers()
        except Exception as exc:  # the store or Docker is down: the next start tries again
            logger.warning("could not clean up after dead workers: %s", exc)
        try:
            while True:
                try:
                    await self.beat()
                except Exception as exc:  # Redis down: keep serving runs, try again next beat
                    logger.warning("heartbeat of %s not published: %s", self.name, exc)
                if self.control_channel and time.time() - self.joined_at > GROUP_REJOIN_SECONDS:
                    # Redis forgets group members after a day (group_expiry): renew it.
                    await self.join_control_group()
                await asyncio.sleep(interval)
        finally:
            describing.cancel()

    async def join_control_group(self) -> None:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:  # control_loop said so already
            return
        try:
            await layer.group_add(control_group(self.name), self.control_channel)
            self.joined_at = time.time()
        except Exception as exc:
            logger.warning("could not join %s: %s", control_group(self.name), exc)

    async def control_loop(self) -> None:
        """Receive control messages for this worker and act on them until cancelled."""
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            logger.warning("no channel layer: worker %s takes no control messages", self.name)
            return
        group = control_group(self.name)
        # The configured layers (in-memory, Redis) take a prefix; BaseChannelLayer's does not.
        self.control_channel = channel = await layer.new_channel("pool.control.")  # type: ignore[call-arg]
        await self.join_control_group()
        try:
            while True:
                try:
                    message = await layer.receive(channel)
                except Exception as exc:  # Redis gone for a moment: wait, rejoin, go on
                    logger.warning("control channel of %s failed: %s", self.name, exc)
                    await asyncio.sleep(HEARTBEAT_INTERVAL_SECONDS)
                    await self.join_control_group()
                    continue
                if message.get("type") != CONTROL_MESSAGE_TYPE:
                    continue
                self.last_control = await handle_control(message, self.pool, self.worker)
                try:
                    await self.beat()  # show the effect now, not at the next tick
                except Exception as exc:
                    logger.warning("heartbeat of %s not published: %s", self.name, exc)
        finally:
            try:
                await layer.group_discard(group, channel)
            except Exception:  # best effort on the way out
                logger.debug("could not leave %s", group, exc_info=True)

    async def cleanup_dead_peers(self) -> list[str]:
        """Remove the containers of dead workers on this Docker engine; returns their names."""
        from execution.sandbox import remove_worker_containers

        cleaned = []
        for peer in await asyncio.to_thread(self.dead_peers_on_this_host):
            # The record stays (shown as dead until it expires); cleaning again finds nothing.
            removed = await asyncio.to_thread(remove_worker_containers, peer.name)
            log_event(
                logger,
                "pool.dead_worker_cleaned",
                worker=self.name,
                dead_worker=peer.name,
                containers_removed=removed,
            )
            cleaned.append(peer.name)
        return cleaned

    def dead_peers_on_this_host(self) -> list[WorkerStatus]:
        """Dead workers on this worker's Docker engine: their containers are orphans."""
        if not self.docker_host_id:
            return []
        return [
            w
            for w in list_workers()
            if w.name != self.name and w.docker_host_id == self.docker_host_id and not w.is_alive()
        ]
