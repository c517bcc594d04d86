"""The owner's routes of a graph's webhooks: create (the token shown once), list, revoke.

Like every route under /api/graphs/{id}/ but `runs/` and `fork/`, they are the owner's alone
(docs/sharing.md): anyone else gets 404, as for a graph that does not exist; anonymous, 401.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from graphs.models import Graph
from nodeengine.api.pagination import Pages
from webhooks.models import Webhook
from webhooks.serializers import WebhookCreatedSerializer, WebhookSerializer
from webhooks.tokens import new_token, token_hash


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
        responses={201: WebhookCreatedSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        graph = self.get_graph()
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
