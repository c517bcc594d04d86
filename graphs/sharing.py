"""Who may read a graph that is not theirs: the one rule every route asks (docs/sharing.md).

A graph is readable by its owner; by any signed-in user while it is listed in the gallery; and
by any signed-in user who presents its current share token. Reading means: open it read-only,
run it (under the reader's own account and limits) and fork it. Nothing else of a graph is ever
visible to anyone but its owner, and a graph that fails the rule is "not found", exactly like one
that never existed.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from graphs.models import Graph

SHARE_TOKEN_MAX_CHARS = 64
# What secrets.token_urlsafe makes: anything else matches no graph, and is never sent to the
# database (Postgres rejects NUL in text with an error, not "no row").
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{1,{SHARE_TOKEN_MAX_CHARS}}}")


def _well_formed(token: str | None) -> bool:
    return bool(token) and _TOKEN.fullmatch(str(token)) is not None


def well_formed_token(token: str | None) -> bool:
    """Whether `token` could be a share token (anything else is never sent to the database)."""
    return _well_formed(token)


def readable_graphs(user_id: int, share_token: str | None = None) -> QuerySet[Graph]:
    """The graphs user `user_id` may read, given the share token they present (if any)."""
    rule = Q(owner_id=user_id) | Q(published_at__isnull=False)
    if _well_formed(share_token):
        rule |= Q(share_token=share_token)
    return Graph.objects.filter(rule)


def readable_graph(user_id: int, graph_id: int, share_token: str | None = None) -> Graph | None:
    return readable_graphs(user_id, share_token).select_related("owner").filter(pk=graph_id).first()


def shared_graph(token: str) -> Graph | None:
    """The graph whose current share link is `token`; None once revoked."""
    if not _well_formed(token):
        return None
    return Graph.objects.select_related("owner").filter(share_token=token).first()


def graph_for_run(user_id: int, graph_id: int, share_token: str | None) -> dict[str, Any] | None:
    """The document of a graph the user may run, or None: the WebSocket's and REST's `graph_id`
    runs both load it here (a reader's run is theirs: their account, their limits)."""
    row = (
        readable_graphs(user_id, share_token)
        .filter(pk=graph_id)
        .values("name", "nodes", "edges", "snapshots")
        .first()
    )
    return None if row is None else dict(row)
