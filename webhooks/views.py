"""The owner's routes of a graph's webhooks: create (the token shown once), list, revoke.

Like every route under /api/graphs/{id}/ but `runs/` and `fork/`, they are the owner's alone
(docs/sharing.md): anyone else gets 404, as for a graph that does not exist; anonymous, 401.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from graphs.models import Graph
from nodeengine.api.pagination import Pages
from webhooks.models import Webhook
from webhooks.serializers import WebhookCreatedSerializer, WebhookSerializer
from webhooks.tokens import new_token, token_hash

# Each hook has its own run slots (webhooks/limits.py), apart from its owner's: without a bound on
# the hooks, a user would multiply their own run limits (RUNS_PER_USER, RUNS_QUEUED_PER_USER) by
# making hooks and calling them. All the user's graphs count together.
MAX_HOOKS_PER_USER = 10


class GraphWebhooksMixin(generics.GenericAPIView[Webhook]):
    pagination_class: type[BasePagination] | None = Pages
    serializer_class = WebhookSerializer
    kwargs: dict[str, Any]

    def get_graph(self) -> Graph:
        return get_object_or_404(Graph, pk=self.kwargs["pk"], owner=self.request.user)

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.filter(graph=self.get_graph())


@extend_schema_view(get=extend_schema(summary="List a graph's webhooks (never their tokens)"))
class GraphWebhookListView(GraphWebhooksMixin, generics.ListAPIView[Webhook]):
    @extend_schema(
        summary="Create a webhook: a secret URL that runs this graph as you (shown once)",
        request=None,
        responses={
            201: WebhookCreatedSerializer,
            400: OpenApiResponse(
                description=f"You already have {MAX_HOOKS_PER_USER} webhooks (all graphs)."
            ),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_graph()
        if Webhook.objects.filter(graph__owner_id=graph.owner_id).count() >= MAX_HOOKS_PER_USER:
            return Response(
                {
                    "detail": f"You already have {MAX_HOOKS_PER_USER} webhooks, the most one user "
                    "may have: revoke one (DELETE .../webhooks/{hook_id}/) to make another."
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = new_token()
        hook = Webhook.objects.create(graph=graph, token_hash=token_hash(token))
        url = request.build_absolute_uri(reverse("hook-run", args=[token]))
        body = {"id": hook.pk, "url": url, "created_at": hook.created_at}
        return Response(WebhookCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


HOOK_ID = OpenApiParameter("hook_id", int, OpenApiParameter.PATH, description="The hook's id.")


class GraphWebhookDetailView(GraphWebhooksMixin, generics.DestroyAPIView[Webhook]):
    lookup_url_kwarg = "hook_id"

    @extend_schema(
        summary="Revoke a webhook: its URL answers 404 from the next call on",
        parameters=[HOOK_ID],
        responses={204: None},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().delete(request, *args, **kwargs)
