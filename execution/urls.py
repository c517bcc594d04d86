from django.urls import path

from execution import sandbox_view, views
from execution.web import run_event_views, run_views

urlpatterns = [
    path("executions/", views.ExecutionListView.as_view(), name="execution-list"),
    path("executions/<uuid:pk>/", run_views.execution_detail_view, name="execution-detail"),
    path(
        "executions/<uuid:pk>/events/",
        run_event_views.execution_events_view,
        name="execution-events",
    ),
    path(
        "executions/<uuid:pk>/kill/", run_views.ExecutionKillView.as_view(), name="execution-kill"
    ),
    path("runs/", run_views.run_create_view, name="run-create"),
    path("graphs/<int:pk>/runs/", run_views.graph_run_create_view, name="graph-run-create"),
    path("sandbox/", sandbox_view.SandboxView.as_view(), name="sandbox"),
]
