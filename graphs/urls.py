from django.urls import path

from graphs import compile_urls, library_urls, sharing_views, signature_views, views

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
        "graphs/<int:pk>/signature/",
        signature_views.GraphSignatureView.as_view(),
        name="graph-signature",
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

# Sharing (docs/sharing.md)
urlpatterns += [
    path("graphs/<int:pk>/share/", sharing_views.GraphShareView.as_view(), name="graph-share"),
    path(
        "graphs/<int:pk>/gallery/", sharing_views.GraphGalleryView.as_view(), name="graph-gallery"
    ),
    path("graphs/<int:pk>/fork/", sharing_views.GraphForkView.as_view(), name="graph-fork"),
    path("gallery/", sharing_views.GalleryListView.as_view(), name="gallery"),
    path("gallery/<int:pk>/", sharing_views.GalleryDetailView.as_view(), name="gallery-graph"),
    path("shared/<str:token>/", sharing_views.SharedGraphView.as_view(), name="shared-graph"),
]

urlpatterns += library_urls.urlpatterns  # library nodes (graphs/library_urls.py)
urlpatterns += compile_urls.urlpatterns  # catalogue and compiler (graphs/compile_urls.py)
