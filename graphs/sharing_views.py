"""Sharing routes: a graph's read-only link and gallery listing (owner), the gallery and shared
graphs (any signed-in reader), and forks. Who may read what is graphs/sharing.py's one rule;
everything else answers 404, as for a graph that never existed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, generics, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from graphs.dependencies import take_snapshots
from graphs.models import Graph
from graphs.serializers import GalleryListingSerializer, GraphSerializer, share_url
from graphs.sharing import readable_graph, shared_graph
from graphs.sharing_serializers import (
    ForkSerializer,
    GalleryItemSerializer,
    SharedGraphSerializer,
    ShareLinkSerializer,
)
from graphs.views import OwnGraphsMixin
from nodeengine.api.pagination import Pages


class GraphShareView(OwnGraphsMixin, generics.GenericAPIView):
    serializer_class = ShareLinkSerializer

    @extend_schema(
        summary="Share a graph read-only by link (the existing link if it has one)",
        request=None,
        responses={200: ShareLinkSerializer, 201: ShareLinkSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_object()
        created = graph.share()
        token = str(graph.share_token)
        return Response(
            {"share_token": token, "share_url": share_url(request, token)},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Revoke a graph's link: it stops working at once", responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object().revoke_share()
        return Response(status=status.HTTP_204_NO_CONTENT)


class GraphGalleryView(OwnGraphsMixin, generics.GenericAPIView):
    serializer_class = GalleryListingSerializer

    @extend_schema(summary="List a graph in the public gallery, or change its listing")
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_object()
        listing = self.get_serializer(data=request.data)
        listing.is_valid(raise_exception=True)
        graph.publish(listing.validated_data["title"], listing.validated_data["description"])
        return Response(self.get_serializer(graph.gallery_listing()).data)

    @extend_schema(summary="Take a graph out of the gallery", responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object().unpublish()
        return Response(status=status.HTTP_204_NO_CONTENT)


class GalleryMixin(generics.GenericAPIView):
    pagination_class: type[BasePagination] | None = Pages

    def get_queryset(self) -> QuerySet[Graph]:
        return Graph.objects.filter(published_at__isnull=False).select_related("owner")


@extend_schema_view(get=extend_schema(summary="The public gallery (newest listing first)"))
class GalleryListView(GalleryMixin, generics.ListAPIView):
    serializer_class = GalleryItemSerializer
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["gallery_title", "gallery_description", "owner__username"]
    ordering_fields = ["published_at", "updated_at", "gallery_title"]
    ordering = ["-published_at", "-id"]

    def get_queryset(self) -> QuerySet[Graph]:
        return super().get_queryset().defer("nodes", "edges", "viewport")


@extend_schema_view(get=extend_schema(summary="Open a graph of the gallery (read-only)"))
class GalleryDetailView(GalleryMixin, generics.RetrieveAPIView):
    serializer_class = SharedGraphSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "source": "gallery"}


TOKEN_PARAMETER = OpenApiParameter(
    "token", str, OpenApiParameter.PATH, description="The secret part of a share link."
)


class SharedGraphView(generics.GenericAPIView):
    serializer_class = SharedGraphSerializer

    @extend_schema(
        summary="Open a graph shared by link (read-only); 404 once the link is revoked",
        parameters=[TOKEN_PARAMETER],
    )
    def get(self, request: Request, token: str) -> Response:
        graph = shared_graph(token)
        if graph is None:
            raise Http404
        return Response(SharedGraphSerializer(graph, context={"source": "link"}).data)


class GraphForkView(generics.GenericAPIView):
    serializer_class = ForkSerializer

    @extend_schema(
        summary="Fork a graph you can read into your own graphs (an independent copy)",
        responses={201: GraphSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        fork = self.get_serializer(data=request.data)
        fork.is_valid(raise_exception=True)
        # IsAuthenticated (the default permission) has made the user a saved User: a pk.
        user_id: int = request.user.pk  # type: ignore[assignment]
        graph = readable_graph(user_id, pk, fork.validated_data.get("share_token"))
        if graph is None:
            raise Http404
        copy = graph.fork(request.user, name=fork.validated_data.get("name"))
        # The copies it keeps are the reader's now; the original owner's own graphs it uses
        # are another user's for the reader: copied when the reader may read them.
        copy.snapshots = take_snapshots(user_id, copy.nodes, copy.snapshots)
        copy.save(update_fields=["snapshots"])
        return Response(
            GraphSerializer(copy, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
