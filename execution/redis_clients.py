"""The Redis clients of the web and pool processes, and the one way a call to Redis is retried.

A Redis connection can drop under any call (Redis restarted, a network blip). Such a call is
retried by redis-py's own `Retry`: exponential backoff, reconnecting before each try, and only
for a dropped or timed-out connection (`CONNECTION_ERRORS`); an error from Redis itself (a
script error, a wrong type) is never retried. What differs between callers is only the budget,
each a `Backoff` below, chosen by what the caller must not do:

* `RUN_PATH` (admission, claims, run events, and every channel-layer send of dispatch.send):
  ride out a Redis restart rather than fail a run. 5 tries, 0.2, 0.4, 0.8 and 1 s apart.
* `STATUS` (the heartbeat store, read by the dashboard and /readyz): say "Redis is down" fast
  rather than hang. 3 tries, 0.1 and 0.2 s apart, with 2 s socket timeouts.
* `UNTIL_BACK` (a web process's receive from the channel layer): wait as long as it takes,
  0.2 s doubling to 2 s apart; the runs in flight are ended meanwhile (their messages are gone).
* `KILL_UNTIL_BACK` (a kill the layer failed to carry): 30 tries, one a second (each a
  `RUN_PATH` send): Redis restarting takes seconds.

The asyncio clients are built through redis_cancellation.connection_pool, so their connections
never lose a task's cancellation.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from execution.redis_cancellation import connection_pool

T = TypeVar("T")

# A dropped or timed-out connection: the next try reconnects. OSError covers a connection the
# channel layer's own code found closed.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError, OSError)


def is_connection_error(exc: BaseException) -> bool:
    """A dropped Redis connection (e.g. Redis restarted): the next attempt reconnects."""
    return isinstance(exc, CONNECTION_ERRORS)


async def _nothing(exc: BaseException) -> None:
    pass


@dataclass(frozen=True)
class Backoff:
    """A retry budget: `tries` calls in all (None: until one succeeds), the first pause
    `first_pause` seconds, each next one twice the last, at most `max_pause`."""

    tries: int | None
    first_pause: float
    max_pause: float

    def _backoff(self) -> ExponentialBackoff:
        # redis-py's pause after the n-th failure is min(cap, base * 2**n).
        return ExponentialBackoff(cap=self.max_pause, base=self.first_pause / 2)

    @property
    def _retries(self) -> int:
        return -1 if self.tries is None else self.tries - 1  # -1: redis-py retries for ever

    def async_retry(self) -> AsyncRetry:
        """For an asyncio client (redis-py's own errors: its connection and timeout errors)."""
        return AsyncRetry(self._backoff(), self._retries)

    def sync_retry(self) -> Retry:
        """For a blocking client (redis-py's own errors, as for `async_retry`)."""
        return Retry(self._backoff(), self._retries)

    @functools.cached_property
    def _call_retry(self) -> AsyncRetry:
        # Built once per budget (dispatch.send goes through it for every message a run sends);
        # redis-py's Retry keeps no state between calls. It types the retried errors as its own;
        # OSError (a connection the channel layer found closed) is retried too, which
        # call_with_retry handles as any exception.
        return AsyncRetry(self._backoff(), self._retries, CONNECTION_ERRORS)  # type: ignore[arg-type]

    async def call(
        self,
        do: Callable[[], Awaitable[T]],
        on_failure: Callable[[BaseException], Awaitable[Any]] = _nothing,
    ) -> T:
        """`await do()`, retried on a connection error within this budget (`await
        on_failure(exc)` after each failure); the last error is raised when the budget is
        spent. Any other error is raised at once."""
        return await self._call_retry.call_with_retry(do, on_failure)


RUN_PATH = Backoff(tries=5, first_pause=0.2, max_pause=1.0)
STATUS = Backoff(tries=3, first_pause=0.1, max_pause=0.5)
UNTIL_BACK = Backoff(tries=None, first_pause=0.2, max_pause=2.0)
KILL_UNTIL_BACK = Backoff(tries=30, first_pause=1.0, max_pause=1.0)

STATUS_SOCKET_TIMEOUT_SECONDS = 2


def run_path_client(url: str) -> aioredis.Redis:
    """An asyncio client (admission, claims, run events) that rides out a dropped connection by
    itself, within `RUN_PATH`."""
    return aioredis.Redis.from_pool(
        connection_pool(
            url,
            retry=RUN_PATH.async_retry(),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
    )


def status_client(url: str) -> redis.Redis:
    """A blocking client (the heartbeat store) with short timeouts and the `STATUS` budget: a
    connection that dropped is reopened within one call, yet a dashboard or /readyz still answers
    "Redis is down" quickly instead of hanging."""
    return redis.Redis.from_url(
        url,
        socket_timeout=STATUS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=STATUS_SOCKET_TIMEOUT_SECONDS,
        retry=STATUS.sync_retry(),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
