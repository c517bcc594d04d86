from django.urls import path

from execution import sandbox_view, views

urlpatterns = [
    path("executions/", views.ExecutionListView.as_view(), name="execution-list"),
    path("executions/<uuid:pk>/", views.ExecutionDetailView.as_view(), name="execution-detail"),
    path("sandbox/", sandbox_view.SandboxView.as_view(), name="sandbox"),
]
