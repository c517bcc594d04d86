"""ASGI entry point served by daphne: HTTP through Django, WebSockets through Channels.

Django is set up before anything imports models. The WebSocket stack checks that the Origin is an
allowed host and the socket's own origin (or a trusted one), then resolves the user from the
session cookie or an API token.
"""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from execution.web.auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402
from execution.web.origin import SameOriginValidator  # noqa: E402
from execution.web.routing import websocket_urlpatterns  # noqa: E402


class StartsEmbeddedPool:
    """Embedded mode (no REDIS_URL): the first connection of any kind starts the in-process
    sandbox pool (execution/worker/embedded.py). daphne has no lifespan events to start it with,
    and waiting for the first WebSocket made the first run wait for the pool's first containers;
    `make run` asks /readyz before it says it serves, so the pool is warm by the first Run."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.started = bool(settings.REDIS_URL)  # with Redis, `manage.py runpool` serves runs

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if not self.started and scope["type"] in ("http", "websocket"):
            self.started = True
            from execution.worker import embedded

            await embedded.ensure_pool()
        return await self.app(scope, receive, send)


application = StartsEmbeddedPool(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(
                SameOriginValidator(
                    # Channels' stubs type the routes as their own URLPattern, not path()'s.
                    TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))  # type: ignore[arg-type]
                )
            ),
        }
    )
)
