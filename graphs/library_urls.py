"""The node library's routes (graphs/library_views.py), under /api/."""

from django.urls import path

from graphs import library_views as views

urlpatterns = [
    path("node-library/", views.LibraryListCreateView.as_view(), name="library-list"),
    path("node-library/preview/", views.LibraryPreviewView.as_view(), name="library-preview"),
    path("node-library/<int:pk>/", views.LibraryDetailView.as_view(), name="library-detail"),
    path(
        "node-library/<int:pk>/versions/",
        views.LibraryVersionListView.as_view(),
        name="library-versions",
    ),
    path(
        "node-library/<int:pk>/versions/<int:n>/",
        views.LibraryVersionDetailView.as_view(),
        name="library-version",
    ),
    path(
        "node-library/<int:pk>/gallery/",
        views.LibraryGalleryView.as_view(),
        name="library-gallery",
    ),
    path("node-library/<int:pk>/fork/", views.LibraryForkView.as_view(), name="library-fork"),
    path("gallery/nodes/", views.NodeGalleryListView.as_view(), name="gallery-nodes"),
]
