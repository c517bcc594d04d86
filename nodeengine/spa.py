"""The single-page editor, served by Django from the same origin as the API and the socket.

`frontend/dist/` is the Vite build (`make frontend`). Its `index.html` answers every SPA route
(the React router takes it from there) with the CSRF cookie set, so the first POST of the page
carries a token. The hashed bundles under `/assets/` are served here too, in any DEBUG mode:
daphne serves no static files itself and the staticfiles app only does so with DEBUG on, so
without this view the editor would be a blank page in production. Their names change with their
content, hence the long cache lifetime.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe
from django.views.static import serve

ASSET_MAX_AGE = 365 * 24 * 3600

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Node Engine</title>
<body style="font-family:sans-serif;background:#020617;color:#e2e8f0;padding:3rem">
<h1>The editor is not built yet</h1>
<p>Run <code>make frontend</code> (or <code>make run</code>, which builds it), then reload.</p>
<p>The API is up: <a style="color:#38bdf8" href="/api/docs/">/api/docs/</a>.</p>"""


def _dist() -> Path:
    return Path(settings.FRONTEND_DIST)


@require_safe
@ensure_csrf_cookie
def index(request: HttpRequest, **_: str) -> HttpResponse:
    page = _dist() / "index.html"
    if not page.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    response = FileResponse(page.open("rb"), content_type="text/html; charset=utf-8")
    # The page names the current bundles: never serve a stale one after a deploy.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def asset(request: HttpRequest, path: str) -> HttpResponse:
    root = _dist() / "assets"
    if not root.is_dir():
        raise Http404("The editor is not built.")
    try:
        response = serve(request, path, document_root=str(root))
    except SuspiciousFileOperation as exc:  # "../" out of assets/: nothing there for anyone
        raise Http404("No such asset.") from exc
    response["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    return response
