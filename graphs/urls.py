from django.urls import path

from graphs import compile_urls, views

urlpatterns = [
    path("graphs/", views.GraphListCreateView.as_view(), name="graph-list"),
    path("graphs/import/", views.GraphImportView.as_view(), name="graph-import"),
    path("graphs/<int:pk>/", views.GraphDetailView.as_view(), name="graph-detail"),
    path("graphs/<int:pk>/duplicate/", views.GraphDuplicateView.as_view(), name="graph-duplicate"),
    path("graphs/<int:pk>/export/", views.GraphExportView.as_view(), name="graph-export"),
    path(
        "graphs/<int:pk>/revisions/", views.GraphRevisionListView.as_view(), name="graph-revisions"
    ),
    path(
        "graphs/<int:pk>/revisions/<int:version>/",
        views.GraphRevisionDetailView.as_view(),
        name="graph-revision",
    ),
    path(
        "graphs/<int:pk>/revisions/<int:version>/restore/",
        views.GraphRevisionRestoreView.as_view(),
        name="graph-revision-restore",
    ),
]

urlpatterns += compile_urls.urlpatterns  # catalogue and compiler (graphs/compile_urls.py)
