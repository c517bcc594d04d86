"""channels-redis' RedisChannelLayer with a one-round-trip `send`.

The stock `send` makes four sequential Redis calls (drop expired, count, add, set expiry). On
the run path every hop (request, `started`, each output batch) pays that, and each await is
also a chance to lose the CPU to other threads of the process (docker-py in the pool worker,
ORM threads in daphne). This layer does the same four steps in one Lua script: identical keys,
scores, expiry and capacity rule (ChannelFull when the channel holds `capacity` messages), so
it interoperates with stock channels-redis processes on the same Redis. Receiving is unchanged.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer
from redis.exceptions import NoScriptError

# KEYS[1] channel key; ARGV: expired-before score, capacity, score, message, expiry seconds.
_SEND_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1])
if redis.call('ZCOUNT', KEYS[1], '-inf', '+inf') >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


_SEND_SHA = hashlib.sha1(_SEND_SCRIPT.encode()).hexdigest()


class FastRedisChannelLayer(RedisChannelLayer):
    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        assert "__asgi_channel__" not in message
        channel_non_local_name = channel
        if "!" in channel:
            message = dict(message.items())
            message["__asgi_channel__"] = channel
            channel_non_local_name = self.non_local_name(channel)
        channel_key = self.prefix + channel_non_local_name
        if "!" in channel:
            index = self.consistent_hash(channel)
        else:
            index = next(self._send_index_generator)
        connection = self.connection(index)
        now = time.time()
        args = (
            int(now) - int(self.expiry),
            self.get_capacity(channel),
            repr(now),
            self.serialize(message),
            int(self.expiry),
        )
        try:
            sent = await connection.evalsha(_SEND_SHA, 1, channel_key, *args)
        except NoScriptError:  # first use on this Redis (or after SCRIPT FLUSH / a restart)
            sent = await connection.eval(_SEND_SCRIPT, 1, channel_key, *args)
        if not sent:
            raise ChannelFull()

    # TEMP TRACE
    async def _brpop_with_clean(self, index, channel, timeout):  # type: ignore[override]
        from execution.client_run import _trace

        _trace("L-eval-begin", channel[-6:])
        r = await super()._brpop_with_clean(index, channel, timeout)
        _trace("L-popped", channel[-6:])
        return r

    async def _clean_receive_backup(self, index, channel):  # type: ignore[override]
        from execution.client_run import _trace

        await super()._clean_receive_backup(index, channel)
        _trace("L-cleaned", channel[-6:])
