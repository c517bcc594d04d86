from django.urls import path

from execution import views

urlpatterns = [
    path("executions/", views.ExecutionListView.as_view(), name="execution-list"),
    path("executions/<uuid:pk>/", views.ExecutionDetailView.as_view(), name="execution-detail"),
]
