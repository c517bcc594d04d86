from django.urls import path

from execution.web.consumers import RunConsumer

websocket_urlpatterns = [
    # django-stubs' path() takes a view; Channels routes ASGI applications with it too.
    path("ws/run/", RunConsumer.as_asgi()),  # type: ignore[arg-type]
]
