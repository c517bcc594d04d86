"""The single-page editor, served by Django from the same origin as the API and the socket.

`frontend/dist/` is the Vite build (`make frontend`). Its `index.html` answers every SPA route
(the React router takes it from there) with the CSRF cookie set, so the first POST of the page
carries a token.

Files are served by WhiteNoise (`StaticFilesMiddleware`, in any DEBUG mode: daphne serves no
static files itself and the staticfiles app only does so with DEBUG on): Django's static files
(the admin's CSS and JS) under /static/, and the editor's hashed bundles, `frontend/dist/assets/`,
under /assets/. Their names change with their content, hence the long, immutable cache lifetime.
With DEBUG off WhiteNoise indexes the files when the process starts (restart after rebuilding the
editor); with DEBUG on it looks them up on every request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe
from whitenoise.middleware import WhiteNoiseMiddleware

ASSETS_PREFIX = "/assets/"

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Node Engine</title>
<body style="font-family:sans-serif;background:#020617;color:#e2e8f0;padding:3rem">
<h1>The editor is not built yet</h1>
<p>Run <code>make frontend</code> (or <code>make run</code>, which builds it), then reload.</p>
<p>The API is up: <a style="color:#38bdf8" href="/api/docs/">/api/docs/</a>.</p>"""


def _dist() -> Path:
    return Path(settings.FRONTEND_DIST)


@require_safe
@ensure_csrf_cookie
def index(request: HttpRequest, **_: str) -> HttpResponseBase:
    page = _dist() / "index.html"
    if not page.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    response = FileResponse(page.open("rb"), content_type="text/html; charset=utf-8")
    # The page names the current bundles: never serve a stale one after a deploy.
    response["Cache-Control"] = "no-cache"
    return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for /static/ (settings.WHITENOISE_*) plus the editor's bundles under /assets/.

    Sync and async like Django's own middleware, so under daphne a request that is not for a file
    does not cross into a thread and back just to pass WhiteNoise's dictionary lookup.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any, settings: Any = settings) -> None:
        super().__init__(get_response, settings)
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        self.add_files(Path(settings.FRONTEND_DIST) / "assets", prefix=ASSETS_PREFIX)

    def add_files(self, root: Any, prefix: str | None = None) -> None:
        # No warning for a folder that is not there: an unbuilt editor answers 503 on its own
        # (index below), and STATIC_ROOT only exists after a collectstatic nobody needs to run.
        if self.autorefresh or os.path.isdir(root):
            super().add_files(root, prefix)

    def immutable_file_test(self, path: str, url: str) -> bool:
        return url.startswith(ASSETS_PREFIX) or super().immutable_file_test(path, url)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request: HttpRequest) -> Any:
        if self.autorefresh:  # DEBUG: a look at the disk
            static_file = await sync_to_async(self.find_file, thread_sensitive=False)(
                request.path_info
            )
        else:
            static_file = self.files.get(request.path_info)
        if static_file is None:
            return await self.get_response(request)
        return await sync_to_async(self.serve, thread_sensitive=False)(static_file, request)
