"""Routes of the catalogue and compiler endpoints, included by graphs/urls.py."""

from django.urls import path

from graphs import compile_views

urlpatterns = [
    path("nodes/", compile_views.NodeCatalogueView.as_view(), name="node-catalogue"),
    path("compile/", compile_views.CompileView.as_view(), name="compile"),
    path(
        "graphs/<int:pk>/compile/", compile_views.GraphCompileView.as_view(), name="graph-compile"
    ),
]
