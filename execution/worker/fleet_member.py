"""A pool worker's side of the fleet (execution/fleet.py): its heartbeats and its control loop.

Every HEARTBEAT_INTERVAL_SECONDS the worker publishes its pool's figures to the heartbeat store,
and it listens on its control group for an operator's messages, which `handle_control` carries
out on the real pool and worker. On start it removes the containers of dead workers that shared
its Docker engine (their containers are orphans nobody else removes).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from execution.fleet import (
    CONTROL_MESSAGE_TYPE,
    ControlError,
    WorkerStatus,
    build_control,
    control_group,
    list_workers,
    publish_heartbeat,
)
from nodeengine.logging import log_event

logger = logging.getLogger("execution.fleet")

HEARTBEAT_INTERVAL_SECONDS = 2.0
GROUP_REJOIN_SECONDS = 600


class FleetPool(Protocol):
    """What the fleet reads and steers of a sandbox pool (execution/sandbox/pool.py)."""

    def stats(self) -> dict[str, Any]: ...
    def resize(self, size: int) -> None: ...
    def recycle(self) -> None: ...


class FleetWorker(Protocol):
    """What the fleet reads and steers of a pool worker (pool_worker.py)."""

    draining: bool

    def drain(self) -> None: ...
    def undrain(self) -> None: ...
    async def kill_run(self, run_id: str) -> bool: ...


async def handle_control(message: dict[str, Any], pool: FleetPool, worker: FleetWorker) -> str:
    """Carry out one control message on the real pool / worker; returns what was done.

    Never raises: a bad or failing request is logged and described in the returned text, which
    the worker reports in its next heartbeat (`last_control`).
    """
    action = message.get("action")
    try:
        checked = build_control(str(action), **{k: v for k, v in message.items() if k != "action"})
        if action == "resize":
            pool.resize(checked["size"])
            outcome = f"resize {checked['size']}: ok"
        elif action == "drain":
            # The worker stops (or resumes) taking runs; the pool keeps its containers.
            worker.drain()
            outcome = "drain: ok"
        elif action == "undrain":
            worker.undrain()
            outcome = "undrain: ok"
        elif action == "recycle":
            pool.recycle()
            outcome = "recycle: ok"
        else:
            found = await worker.kill_run(checked["run_id"])
            outcome = f"kill_run {checked['run_id']}: {'ok' if found else 'not running here'}"
    except ControlError as exc:
        outcome = f"{action}: refused: {exc}"
    except Exception as exc:
        logger.exception("control action %s failed", action)
        outcome = f"{action}: failed: {exc}"
    log_event(logger, "pool.control.handled", action=str(action), outcome=outcome)
    return f"{outcome} at {time.strftime('%H:%M:%S', time.gmtime())} UTC"


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
    pool: FleetPool
    worker: FleetWorker
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
            "draining": bool(self.worker.draining),
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
        if layer is None:  # control_loop has said so, and joins nothing
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
        # The stubs' BaseChannelLayer.new_channel takes no prefix; the layers (in-memory, Redis) do.
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
