"""Same-origin check for WebSocket handshakes.

Channels' AllowedHostsOriginValidator compares only the Origin's *host* with ALLOWED_HOSTS, so a
page served from another port of an allowed host (say http://localhost:9999) could open a socket
that carries the victim's session cookie. Browsers do not apply CORS to WebSockets, so the server
must: the Origin must be exactly the origin the socket was opened on (scheme + Host header), or
one of CSRF_TRUSTED_ORIGINS, the list an operator already maintains for cross-origin forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings

if TYPE_CHECKING:
    from channels.consumer import _ChannelScope


def _header(scope: Mapping[str, Any], name: bytes) -> str:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", [])  # ASGI: (name, value)
    for key, value in headers:
        if key == name:
            return value.decode("latin-1").strip()
    return ""


def origin_allowed(origin: str, host: str, trusted: list[str]) -> bool:
    if not origin or origin == "null":
        return False
    origin = origin.rstrip("/").lower()
    same_origin = {f"http://{host}".lower(), f"https://{host}".lower()} if host else set()
    return origin in same_origin or origin in {o.rstrip("/").lower() for o in trusted}


class SameOriginValidator:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: _ChannelScope, receive: Any, send: Any) -> Any:
        origin = _header(scope, b"origin")
        host = _header(scope, b"host")
        if origin_allowed(origin, host, list(settings.CSRF_TRUSTED_ORIGINS)):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
