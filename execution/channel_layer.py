"""channels-redis' RedisChannelLayer with fewer Redis round trips per message.

On the run path every hop (request, `started`, each output batch) is one send and one receive.
Stock `send` makes four sequential Redis calls (drop expired, count, add, set expiry); stock
receive makes three (restore the in-flight backup, BZPOPMIN, back the message up) plus the
backup's cleanup. Each await is also a chance to lose the CPU to other threads of the process
(docker-py in the pool worker, ORM threads in daphne).

Here `send` is one Lua script doing the same four steps, and a receive finding a message waiting
is one script (restore, pop, back up); an empty channel blocks as stock, but a message its
blocking pop returns is handed over without the backup round trip (nor, then, its cleanup: see
`_brpop_with_clean`). Keys, scores, expiry, capacity (ChannelFull) and the in-flight backup are
unchanged, so processes using the stock layer on the same Redis interoperate with this one.

Its Redis connections deliver every cancellation (redis_cancellation.py).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer
from redis.exceptions import NoScriptError

from execution.redis_cancellation import connection_pool


def send_lua(key: str, first_arg: int) -> str:
    """Lua that sends one message the way `send` does, setting `sent` to 1 (or 0: channel full).

    `key` is the channel key (e.g. "KEYS[1]"); ARGV[first_arg .. first_arg + 4] hold
    `send_args()`: expired-before score, capacity, score, message, expiry seconds. Shared with
    web/admission.py, whose admit script dispatches a run in the same round trip.
    """
    a = [f"ARGV[{first_arg + i}]" for i in range(5)]
    return f"""
local sent = 0
redis.call('ZREMRANGEBYSCORE', {key}, 0, {a[0]})
if redis.call('ZCOUNT', {key}, '-inf', '+inf') < tonumber({a[1]}) then
    redis.call('ZADD', {key}, {a[2]}, {a[3]})
    redis.call('EXPIRE', {key}, {a[4]})
    sent = 1
end
"""


_SEND_SCRIPT = send_lua("KEYS[1]", 1) + "return sent\n"

_SEND_SHA = hashlib.sha1(_SEND_SCRIPT.encode()).hexdigest()

# KEYS[1] channel key, KEYS[2] its in-flight backup. Puts back what a cancelled receive left in
# the backup (as stock channels-redis does before each pop), then pops the oldest message and
# backs it up. Returns the message, or nil (false) when the channel is empty.
_POP_SCRIPT = """
local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', KEYS[2])
local popped = redis.call('ZPOPMIN', KEYS[1])
if popped[1] then
    redis.call('ZADD', KEYS[2], popped[2], popped[1])
    return popped[1]
end
return false
"""
_POP_SHA = hashlib.sha1(_POP_SCRIPT.encode()).hexdigest()


class FastRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]  # channels-redis is untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Channel keys whose last receive came from the blocking pop, so left nothing in the
        # backup for the cleanup that channels-redis schedules after every receive to remove.
        self._not_backed_up: set[str] = set()

    def send_args(self, channel: str, message: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The channel key and the ARGV of `send_lua` for sending `message` to `channel`."""
        assert isinstance(message, dict), "message is not a dict"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        assert "__asgi_channel__" not in message
        channel_non_local_name = channel
        if "!" in channel:
            message = dict(message.items())
            message["__asgi_channel__"] = channel
            channel_non_local_name = self.non_local_name(channel)
        now = time.time()
        args = (
            int(now) - int(self.expiry),
            self.get_capacity(channel),
            repr(now),
            self.serialize(message),
            int(self.expiry),
        )
        return self.prefix + channel_non_local_name, args

    def single_host_address(self) -> str | None:
        """The Redis URL every channel of this layer lives on, or None with several hosts."""
        if self.ring_size != 1:
            return None
        address = self.hosts[0].get("address")
        return address if isinstance(address, str) else None

    def create_pool(self, index: int) -> Any:
        """Stock's pool, with connections that never lose a cancellation (redis_cancellation.py):
        a receive cancelled as its send completed went on popping for ever, holding the receive
        lock of every channel of this process."""
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if not isinstance(address, str):  # Sentinel or keyword configuration: stock
            return super().create_pool(index)
        return connection_pool(address, **host)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        channel_key, args = self.send_args(channel, message)
        if "!" in channel:
            index = self.consistent_hash(channel)
        else:
            index = next(self._send_index_generator)
        connection = self.connection(index)
        try:
            sent = await connection.evalsha(_SEND_SHA, 1, channel_key, *args)
        except NoScriptError:  # first use on this Redis (or after SCRIPT FLUSH / a restart)
            sent = await connection.eval(_SEND_SCRIPT, 1, channel_key, *args)
        if not sent:
            raise ChannelFull()

    async def _brpop_with_clean(self, index: int, channel: str, timeout: int) -> Any:  # noqa: ASYNC109
        """Stock: restore the in-flight backup, BZPOPMIN, then back the message up (three round
        trips even when a message is waiting). Here one script does the restore, pops and backs
        up atomically; only an empty channel falls back to the blocking pop, without backup."""
        self._not_backed_up.discard(channel)
        connection = self.connection(index)
        backup = self._backup_channel_name(channel)
        try:
            member = await connection.evalsha(_POP_SHA, 2, channel, backup)
        except NoScriptError:
            member = await connection.eval(_POP_SCRIPT, 2, channel, backup)
        if member is not None:
            return member
        result = await connection.bzpopmin(channel, timeout=timeout)
        if result is None:
            return None
        # No backup of what the blocking pop returned (stock writes one here, a round trip before
        # the message is delivered; on the pool's request channel, before a worker can claim
        # and start a run). From here to the caller there is no await, so no cancellation can
        # lose the message. Stock's backup would only cover a crash in the instant before its
        # cleanup removes it again (receive_single schedules that at once), and a request lost
        # to a crashed worker is reported by its consumer's dispatch deadline either way.
        # Nothing to clean up then: the cleanup would take the oldest entry of the channel's
        # backup, which on a shared channel is another worker's in-flight message.
        self._not_backed_up.add(channel)
        return result[1]

    async def _clean_receive_backup(self, index: int, channel: str) -> None:
        """Stock pops the oldest backup entry after every receive; none after a blocking pop."""
        if channel in self._not_backed_up:
            self._not_backed_up.discard(channel)
            return
        await super()._clean_receive_backup(index, channel)
