"""ASGI entry point served by daphne: HTTP through Django, WebSockets through Channels.

Django is set up before anything imports models. The WebSocket stack checks that the Origin is an
allowed host and the socket's own origin (or a trusted one), then resolves the user from the
session cookie or an API token.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from execution.web.auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402
from execution.web.origin import SameOriginValidator  # noqa: E402
from execution.web.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SameOriginValidator(TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
