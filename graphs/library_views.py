"""The node library's routes (docs/interfaces.md, "Node library"): a user's entries and their
versions (owner only: anyone else gets 404, as for an entry that never existed), the preview,
gallery listing, the node gallery and forks. The code is parsed (graphs/library/parse.py), never
run; code that cannot be a node answers 400 with the compiler's diagnostics, each with its line.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, generics, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from graphs.compiler.result import Diagnostic
from graphs.library.node import node_json
from graphs.library.parse import LibraryFunction, parse_function
from graphs.library_models import NodeLibraryEntry, NodeLibraryVersion, readable_entries
from graphs.library_serializers import (
    LibraryCodeSerializer,
    LibraryEntrySerializer,
    LibraryErrorSerializer,
    LibraryGalleryItemSerializer,
    LibraryPreviewSerializer,
    LibraryVersionSerializer,
)
from graphs.serializers import GalleryListingSerializer
from nodeengine.api.pagination import Pages

PREVIEW_ENTRY_ID = 0  # the preview's node is `lib:0`: no entry has that id


class CodeRefused(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("code refused")
        self.diagnostics = diagnostics


def _refused(diagnostics: list[Diagnostic]) -> Response:
    messages = [
        f"line {d.line}: {d.message}" if d.line is not None else d.message for d in diagnostics
    ]
    return Response(
        {
            "detail": f"The code cannot be a node: {messages[0]}",
            "errors": {"code": messages},
            "diagnostics": [d.to_dict() for d in diagnostics],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _parsed(request: Request) -> tuple[str, LibraryFunction, str | None]:
    """The request's code, its function and the description (if given); raises CodeRefused."""
    body = LibraryCodeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    code: str = body.validated_data["code"]
    function, diagnostics = parse_function(code)
    if function is None:
        raise CodeRefused(diagnostics)
    return code, function, body.validated_data.get("description")


def _description(function: LibraryFunction, given: str | None) -> str:
    return given if given is not None else function.description


def _create(
    owner: Any, code: str, function: LibraryFunction, description: str, **extra: Any
) -> NodeLibraryEntry:
    """A new entry at version 1 (its node type names its id: written once the id is known)."""
    with transaction.atomic():
        entry = NodeLibraryEntry.objects.create(
            owner=owner, name=function.name, description=description, code=code, **extra
        )
        entry.node = node_json(function, entry.pk, 1, description)
        entry.save(update_fields=["node"])
        NodeLibraryVersion.objects.create(entry=entry, n=1, code=code, node=entry.node)
    return entry


_CODE_RESPONSES = {400: LibraryErrorSerializer}


class OwnEntriesMixin(generics.GenericAPIView):
    pagination_class: type[BasePagination] | None = Pages

    def get_queryset(self) -> QuerySet[NodeLibraryEntry]:
        # IsAuthenticated (the default permission) has made the user a User.
        return NodeLibraryEntry.objects.filter(owner=self.request.user)  # type: ignore[misc]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, CodeRefused):
            return _refused(exc.diagnostics)
        return super().handle_exception(exc)


@extend_schema_view(get=extend_schema(summary="Your library nodes (newest change first)"))
class LibraryListCreateView(OwnEntriesMixin, generics.ListCreateAPIView):
    serializer_class = LibraryEntrySerializer

    @extend_schema(
        summary="Make a node from a Python function (version 1)",
        request=LibraryCodeSerializer,
        responses={201: LibraryEntrySerializer, **_CODE_RESPONSES},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        code, function, given = _parsed(request)
        entry = _create(request.user, code, function, _description(function, given))
        return Response(LibraryEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="One of your library nodes"),
    delete=extend_schema(summary="Delete a library node (graphs keep their embedded copies)"),
)
class LibraryDetailView(OwnEntriesMixin, generics.RetrieveDestroyAPIView):
    serializer_class = LibraryEntrySerializer
    http_method_names = ["get", "put", "delete", "head", "options"]

    @extend_schema(
        summary="Save new code: a new version when the code changed",
        request=LibraryCodeSerializer,
        responses={200: LibraryEntrySerializer, **_CODE_RESPONSES},
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        code, function, given = _parsed(request)
        description = given if given is not None else function.description or entry.description
        entry.save_code(
            code,
            function.name,
            lambda n: node_json(function, entry.pk, n, description),
            description,
        )
        return Response(LibraryEntrySerializer(entry).data)


@extend_schema_view(get=extend_schema(summary="The versions of a library node (newest first)"))
class LibraryVersionListView(generics.ListAPIView):
    serializer_class = LibraryVersionSerializer
    pagination_class: type[BasePagination] | None = Pages

    def get_queryset(self) -> QuerySet[NodeLibraryVersion]:
        entry = get_object_or_404(NodeLibraryEntry, pk=self.kwargs["pk"], owner=self.request.user)
        return entry.versions.all()


class LibraryVersionDetailView(APIView):
    @extend_schema(summary="One version of a library node", responses=LibraryVersionSerializer)
    def get(self, request: Request, pk: int, n: int) -> Response:
        version = get_object_or_404(
            NodeLibraryVersion,
            entry_id=pk,
            entry__owner=request.user,
            n=n,
        )
        return Response(LibraryVersionSerializer(version).data)


class LibraryPreviewView(APIView):
    @extend_schema(
        summary="The node some code would define, without saving (null node: see diagnostics)",
        request=LibraryCodeSerializer,
        responses=LibraryPreviewSerializer,
    )
    def post(self, request: Request) -> Response:
        body = LibraryCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        function, diagnostics = parse_function(body.validated_data["code"])
        node = None
        if function is not None:
            description = _description(function, body.validated_data.get("description"))
            node = node_json(function, PREVIEW_ENTRY_ID, 1, description)
        return Response({"node": node, "diagnostics": [d.to_dict() for d in diagnostics]})


class LibraryGalleryView(OwnEntriesMixin):
    serializer_class = GalleryListingSerializer

    @extend_schema(summary="List a library node in the node gallery, or change its listing")
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        listing = self.get_serializer(data=request.data)
        listing.is_valid(raise_exception=True)
        entry.publish(listing.validated_data["title"], listing.validated_data["description"])
        return Response(self.get_serializer(entry.gallery_listing()).data)

    @extend_schema(summary="Take a library node out of the gallery", responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object().unpublish()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(summary="The node gallery (newest listing first)"))
class NodeGalleryListView(generics.ListAPIView):
    serializer_class = LibraryGalleryItemSerializer
    pagination_class: type[BasePagination] | None = Pages
    filter_backends = [filters.SearchFilter]
    search_fields = ["gallery_title", "gallery_description", "name", "owner__username"]

    def get_queryset(self) -> QuerySet[NodeLibraryEntry]:
        return (
            NodeLibraryEntry.objects.filter(published_at__isnull=False)
            .select_related("owner")
            .order_by("-published_at", "-id")
        )


class LibraryForkView(APIView):
    @extend_schema(
        summary="Add a library node you can read (yours, or in the gallery) to your library",
        request=None,
        responses={201: LibraryEntrySerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user_id: int = request.user.pk  # type: ignore[assignment]
        original = readable_entries(user_id).select_related("owner").filter(pk=pk).first()
        if original is None:
            raise Http404
        function, _ = parse_function(original.code)
        if function is None:  # saved code always parses; a changed parser might refuse it
            raise Http404
        note = f"Forked from \u201c{original.name}\u201d by {original.owner.get_username()}"
        entry = _create(
            request.user,
            original.code,
            function,
            original.description,
            forked_from=original,
            forked_from_note=note[:300],
        )
        return Response(LibraryEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
