"""redis-py asyncio connections that never lose a task's cancellation.

redis-py sends each command under `asyncio.wait_for(..., socket_timeout)`. On Python 3.11,
`wait_for` returns the inner result when the outer task is cancelled in the same loop turn as
the send completes, and the cancellation is gone (bpo-42130, fixed by the 3.12 rewrite of
`wait_for`). The task then runs on as if nobody had cancelled it. For a channel layer receive
that means a blocking pop, repeated every 5 s for ever, holding the layer's receive lock: a REST
run's listener, cancelled as its refused run ended, stayed blocked on Redis, and /readyz failed
until daphne restarted.

Here a send that swallowed a cancellation drops the connection (its reply is never read: stock
redis-py does the same when a cancellation arrives mid-send) and raises CancelledError, so the
cancellation lands where it was aimed. On 3.12+ `wait_for` never swallows one, and this is a
no-op.

Every asyncio Redis client of the web and pool processes is built through `connection_pool`: the
channel layer (channel_layer.py) and `dispatch.redis_client` (admission, claims, run events).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    ConnectionPool,
    SSLConnection,
    UnixDomainSocketConnection,
    parse_url,
)


class _DeliversCancellation(AbstractConnection):
    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        task = asyncio.current_task()
        requested = task.cancelling() if task is not None else 0
        await super().send_packed_command(command, check_health)
        if task is not None and task.cancelling() > requested:
            # Cancelled during the send, and the cancellation was swallowed on the way out.
            await self.disconnect(nowait=True)
            raise asyncio.CancelledError()


class CancellableConnection(_DeliversCancellation, Connection):
    pass


class CancellableSSLConnection(_DeliversCancellation, SSLConnection):
    pass


class CancellableUnixDomainSocketConnection(_DeliversCancellation, UnixDomainSocketConnection):
    pass


_CANCELLABLE: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: CancellableConnection,
    SSLConnection: CancellableSSLConnection,
    UnixDomainSocketConnection: CancellableUnixDomainSocketConnection,
}


def connection_pool(url: str, **options: Any) -> ConnectionPool:
    """`ConnectionPool.from_url(url, **options)`, with connections that deliver cancellation.

    The URL decides the transport (redis://, rediss://, unix://) as in `from_url`."""
    kwargs = {**options, **parse_url(url)}  # the URL's options win, as in from_url
    transport = kwargs.get("connection_class", Connection)
    kwargs["connection_class"] = _CANCELLABLE.get(transport, transport)
    return ConnectionPool(**kwargs)
