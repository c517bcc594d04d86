from django.urls import path

from webhooks import hook_views, views

urlpatterns = [
    path("graphs/<int:pk>/webhooks/", views.GraphWebhookListView.as_view(), name="graph-webhooks"),
    path(
        "graphs/<int:pk>/webhooks/<int:hook_id>/",
        views.GraphWebhookDetailView.as_view(),
        name="graph-webhook",
    ),
    path("hooks/<str:token>/", hook_views.hook_run_view, name="hook-run"),
    path(
        "hooks/<str:token>/runs/<uuid:run_id>/",
        hook_views.hook_run_result_view,
        name="hook-run-result",
    ),
]
