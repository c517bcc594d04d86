from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from nodeengine import health, spa, task_census
from nodeengine.errors import api_not_found

urlpatterns = [
    # The pool dashboard first: the admin's catch-all URL would otherwise answer admin/pool/ (404).
    path("admin/pool/", include("execution.admin_dashboard")),
    path("admin/", admin.site.urls),
    path("api/auth/", include("accounts.urls")),
    path("api/", include("graphs.urls")),
    path("api/", include("execution.urls")),
    path("api/", include("webhooks.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^api/", api_not_found),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    # /static/ (the admin's CSS and JS) and /assets/ (the editor's bundles) never get here:
    # WhiteNoise answers them first (nodeengine.spa.StaticFilesMiddleware).
]

if settings.TASK_CENSUS:  # tests only: what the process leaves running (nodeengine/task_census.py)
    urlpatterns.append(path("debug/tasks", task_census.tasks, name="debug-tasks"))

# The editor, last so that it never shadows the API: the SPA routes the React router
# owns, each answering index.html.
urlpatterns += [
    path("", spa.index, name="spa-home"),
    re_path(r"^(?:login|signup)/?$", spa.index, name="spa-auth"),
    re_path(r"^graphs(?:/.*)?$", spa.index, name="spa-graphs"),
    # Read-only views of shared graphs (docs/sharing.md): a share link, the gallery.
    re_path(r"^s/[A-Za-z0-9_-]{1,64}/?$", spa.index, name="spa-shared"),
    re_path(r"^gallery(?:/\d+)?/?$", spa.index, name="spa-gallery"),
]
