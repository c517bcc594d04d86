"""The channel-layer protocol between the web side (the WebSocket consumer) and pool workers.

Design
------
* One shared, named channel (`settings.POOL_REQUEST_CHANNEL`, default "pool.requests") is the
  global FIFO queue of runs. channels-redis hands each message on a normal channel to exactly
  one receiver, and a pool worker only calls `receive` on it while it holds a warm container,
  so several workers on several Docker hosts can serve one Redis and nobody takes work they
  cannot start at once.
* A request names its reply channel (the consumer's `channel_name`). The worker answers there
  with `run.started` (naming a per-run *control* channel it listens on for stdin / kill),
  `run.output` (coalesced chunks, in order; the first at once, then at most one per
  output_streamer.FLUSH_INTERVAL_SECONDS while output streams), `run.heartbeat` (every second per
  in-flight run) and `run.exit`.
* Cost per message: with REDIS_URL the layer is execution.channel_layer.FastRedisChannelLayer
  (channels-redis, one Redis round trip per send and per receive of a waiting message). A run
  request that gets a slot at once is sent by the admission script itself (web/admission.py), in
  the same round trip as the admission.
* Claims: before starting a request the worker atomically claims the run id (Redis `SET NX`,
  value = its control channel). The consumer uses the same claim to cancel a run nobody has
  started yet (browser left, user killed it, dispatch deadline passed): whoever claims first
  wins, so a run is never started after its socket is gone, and a message that channels-redis
  delivers twice (its in-flight backup can re-queue under races) is never run twice. The
  worker's claim also sends `run.started` in the same script when the reply channel lives on
  the claims' Redis (`RedisClaims.claim_and_send`): one round trip before the script goes to
  the sandbox, as the claim alone was, and the output never waits for `started` to arrive.
* Liveness: a consumer that hears nothing about a started run for `HEARTBEAT_TIMEOUT_SECONDS`
  ends it with reason `worker_lost`. A request not started within `DISPATCH_DEADLINE_SECONDS`
  (kept below the channel layer's 60 s message expiry, after which Redis drops it) is claimed
  back by the consumer and reported as an error.
* Backpressure: every send retries on ChannelFull with a short sleep, so a full channel slows
  the worker's reading of the sandbox's output instead of growing memory.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from channels.exceptions import ChannelFull
from django.conf import settings

from execution.redis_clients import RUN_PATH, run_path_client

# The run path's callers ask `dispatch.is_connection_error` whether a send's error was Redis
# dropping (redis_clients defines it).
from execution.redis_clients import is_connection_error as is_connection_error

HEARTBEAT_SECONDS = 1.0
HEARTBEAT_TIMEOUT_SECONDS = 5.0
DISPATCH_DEADLINE_SECONDS = 45.0
CLAIM_TTL_SECONDS = 600
SEND_RETRY_SECONDS = 0.02
SEND_GIVE_UP_SECONDS = 30.0

# Message types (Channels maps "run.output" to a handler method named run_output).
REQUEST = "run.request"
STARTED = "run.started"
OUTPUT = "run.output"
HEARTBEAT = "run.heartbeat"
EXIT = "run.exit"
STDIN = "run.stdin"
STDIN_EOF = "run.stdin_eof"
KILL = "run.kill"
RESUME = "run.resume"  # a paused debug run goes on (`mode`: continue | step)
BREAKPOINTS = "run.breakpoints"  # a debug run's breakpoints from now on (`nodes`: indices)

CANCELLED = "cancelled"  # claim value the consumer writes to stop a run before it starts


def request_channel() -> str:
    return getattr(settings, "POOL_REQUEST_CHANNEL", "") or "pool.requests"


async def send(layer: Any, channel: str, message: dict[str, Any]) -> bool:
    """Send, waiting while the channel is full. False when it stayed full for too long. A dropped
    connection is retried within redis_clients.RUN_PATH, then raised."""
    give_up = time.monotonic() + SEND_GIVE_UP_SECONDS

    async def send_when_not_full() -> bool:
        while True:
            try:
                await layer.send(channel, message)
                return True
            except ChannelFull:
                if time.monotonic() > give_up:
                    return False
                await asyncio.sleep(SEND_RETRY_SECONDS)

    return await RUN_PATH.call(send_when_not_full)


# --- Claims -------------------------------------------------------------------------------


class MemoryClaims:
    """Claims for embedded mode, where the web process is also the only pool worker."""

    def __init__(self) -> None:
        self._claims: dict[str, tuple[str, float]] = {}

    async def claim(self, run_id: str, value: str) -> bool:
        now = time.monotonic()
        if len(self._claims) > 10_000:
            self._claims = {k: v for k, v in self._claims.items() if v[1] > now}
        current = self._claims.get(run_id)
        if current is not None and current[1] > now:
            return False
        self._claims[run_id] = (value, now + CLAIM_TTL_SECONDS)
        return True

    async def get(self, run_id: str) -> str | None:
        current = self._claims.get(run_id)
        return current[0] if current else None

    async def claim_and_send(
        self, run_id: str, value: str, layer: Any, channel: str, message: dict[str, Any]
    ) -> tuple[bool, bool]:
        """As RedisClaims.claim_and_send; nothing is sent here (the caller sends it)."""
        return await self.claim(run_id, value), False


# KEYS[1] the claim, KEYS[2] the reply channel's key; ARGV[1] the claim's value, ARGV[2] its
# TTL, ARGV[3..7] FastRedisChannelLayer.send_args(). Returns -1 when the run was claimed before
# (nothing sent), else whether the message went out (0: the reply channel is full).
def _claim_and_send_script() -> str:
    from execution.channel_layer import send_lua  # needs channels-redis: Redis mode only

    return (
        "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then\n"
        "    return -1\n"
        "end\n" + send_lua("KEYS[2]", 3) + "return sent\n"
    )


class RedisClaims:
    """Claims shared by every web process and pool worker through Redis (SET NX EX)."""

    PREFIX = "nodeengine:run-claim:"

    def __init__(self, url: str) -> None:
        self._url = url
        self._redis = run_path_client(url)
        self._claim_and_send: Any = None  # registered on first use (needs channels-redis)

    async def claim(self, run_id: str, value: str) -> bool:
        key = self.PREFIX + run_id
        return bool(await self._redis.set(key, value, nx=True, ex=CLAIM_TTL_SECONDS))

    async def claim_and_send(
        self, run_id: str, value: str, layer: Any, channel: str, message: dict[str, Any]
    ) -> tuple[bool, bool]:
        """claim(), and only if that succeeds, `layer.send(channel, message)` in the same
        script: (claimed, sent). Not sent when the channel is full or lives on another Redis
        than the claims (then the caller sends it)."""
        from execution.channel_layer import FastRedisChannelLayer

        if not (
            isinstance(layer, FastRedisChannelLayer) and layer.single_host_address() == self._url
        ):
            return await self.claim(run_id, value), False
        try:
            channel_key, send_args = layer.send_args(channel, message)
        except Exception:  # e.g. an invalid channel name: the caller's own send reports it
            return await self.claim(run_id, value), False
        if self._claim_and_send is None:
            self._claim_and_send = self._redis.register_script(_claim_and_send_script())
        result = await self._claim_and_send(
            keys=[self.PREFIX + run_id, channel_key],
            args=[value, CLAIM_TTL_SECONDS, *send_args],
        )
        return int(result) >= 0, int(result) == 1

    async def get(self, run_id: str) -> str | None:
        value = await self._redis.get(self.PREFIX + run_id)
        # The client does not decode responses: a value is bytes.
        return value.decode() if isinstance(value, bytes) else value


Store = TypeVar("Store")


def store_for_this_loop(stores: dict[int, Store], make: Callable[[str], Store]) -> Store:
    """One Redis-backed store per running event loop: redis-py connections belong to a loop."""
    loop_id = id(asyncio.get_running_loop())
    store = stores.get(loop_id)
    if store is None:
        url = settings.REDIS_URL
        if url is None:  # callers ask for a Redis-backed store only when Redis is configured
            raise RuntimeError("no REDIS_URL for a Redis-backed store")
        store = stores[loop_id] = make(url)
    return store


_claims_by_loop: dict[int, RedisClaims] = {}
_memory_claims = MemoryClaims()


def claims() -> MemoryClaims | RedisClaims:
    """The claims store: in memory in embedded mode, else Redis for the running event loop."""
    if not settings.REDIS_URL:
        return _memory_claims
    return store_for_this_loop(_claims_by_loop, RedisClaims)
