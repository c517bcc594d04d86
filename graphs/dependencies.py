"""The graphs a graph uses (`graph` nodes): which document each (graph id, version) is, for whom.

The compiler reads other graphs only through a resolver (graphs/compiler/linking.py); this is the
server's, for user U, following the reading rule of graphs/sharing.py:

1. U's own graph: its current version, or that version from its history (a version some graph
   uses is never pruned, see `versions_in_use`).
2. Another user's graph: the copy U holds, a snapshot stored in the document being compiled or in
   another graph of U's (keys `"<id>@<version>"`: one version of a graph never changes, so a copy
   is the same wherever it is kept). Snapshots are taken when U saves a graph using it
   (`take_snapshots`), while U may read it: so revoking a share later changes nothing for U.
3. Without a copy: the graph's current version, when it is in the gallery (readable by everyone
   signed in). A share token is never stored, so a graph shared by link only is readable here
   through the copy taken when it was added.

Nothing else is readable: the compiler reports the node (graph_unreadable) and the run is refused.

Library nodes (`lib:<id>`) are read by graphs/library_dependencies.py's resolver, which shares
the copies this one learns (`server_resolvers`); a graph's `snapshots` also hold the code of the
library versions it uses (keys `"lib:<id>@<version>"`), embedded when it is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeGuard

from django.db.models import Q

from graphs.catalogue.nodes_graphs import GRAPH_TYPE
from graphs.compiler import GraphResolver, LibraryResolver, snapshot_key
from graphs.compiler.linking import MAX_LINKED_GRAPHS
from graphs.library_dependencies import (
    ServerLibrary,
    library_copies,
    library_refs,
    preloaded_library,
)
from graphs.models import Graph, GraphRevision
from graphs.sharing import well_formed_token

_DOCUMENT = ("name", "nodes", "edges")


def graph_refs(nodes: Any) -> list[tuple[int, int]]:
    """The (graph id, version) pairs a document's `graph` nodes name, in order, once each."""
    refs: dict[tuple[int, int], None] = {}
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict) or node.get("type") != GRAPH_TYPE:
            continue
        data = node.get("data")
        params = data.get("params") if isinstance(data, dict) else None
        if not isinstance(params, dict):
            continue
        graph_id, version = params.get("graph_id"), params.get("version")
        if _positive(graph_id) and _positive(version):
            refs[(graph_id, version)] = None
    return list(refs)


def _positive(value: Any) -> TypeGuard[int]:
    return type(value) is int and 0 < value < 2**63


def _document(row: dict[str, Any]) -> dict[str, Any]:
    return {field: row[field] for field in _DOCUMENT}


class ServerGraphs:
    """The resolver of user `user_id` compiling `document` (rules in the module docstring).
    Documents are read once each; the compiler asks each (graph, version) once anyway."""

    def __init__(self, user_id: int, document: Any = None) -> None:
        self.user_id = user_id
        snapshots = document.get("snapshots") if isinstance(document, dict) else None
        self.snapshots: dict[str, Any] = dict(snapshots) if isinstance(snapshots, dict) else {}
        self.read: dict[tuple[int, int], dict[str, Any] | None] = {}

    def __call__(self, graph_id: int, version: int) -> dict[str, Any] | None:
        key = (graph_id, version)
        if key not in self.read:
            self.read[key] = self._resolve(graph_id, version)
        return self.read[key]

    def _resolve(self, graph_id: int, version: int) -> dict[str, Any] | None:
        if not (_positive(graph_id) and _positive(version)):
            return None
        row = (
            Graph.objects.filter(pk=graph_id)
            .values("owner_id", "version", "published_at", "snapshots", *_DOCUMENT)
            .first()
        )
        if row is not None and row["owner_id"] == self.user_id:
            if row["version"] == version:
                found: dict[str, Any] | None = dict(row)
            else:
                found = (
                    GraphRevision.objects.filter(graph_id=graph_id, version=version)
                    .values("snapshots", *_DOCUMENT)
                    .first()
                )
            if found is None:
                return None
            self._learn(found.get("snapshots"))  # what U's graph uses comes with it
            return _document(found)
        key = snapshot_key(graph_id, version)
        copy = self.snapshots.get(key)
        if copy is None:
            copy = self._own_copy(key)
        if isinstance(copy, dict):
            return copy
        if row is not None and row["published_at"] is not None and row["version"] == version:
            return _document(row)
        return None

    def _learn(self, snapshots: Any) -> None:
        if isinstance(snapshots, dict):
            for key, copy in snapshots.items():
                self.snapshots.setdefault(key, copy)

    def _own_copy(self, key: str) -> Any:
        """A snapshot of `key` kept in any of the user's graphs (or their history: a pinned
        version of a graph of theirs may keep one its current version no longer does)."""
        holder = (
            Graph.objects.filter(owner_id=self.user_id, snapshots__has_key=key)
            .values_list("snapshots", flat=True)
            .first()
        )
        if holder is None:
            holder = (
                GraphRevision.objects.filter(graph__owner_id=self.user_id, snapshots__has_key=key)
                .values_list("snapshots", flat=True)
                .first()
            )
        return holder.get(key) if isinstance(holder, dict) else None


def server_resolvers(user_id: int, document: Any) -> tuple[ServerGraphs, ServerLibrary]:
    """The resolvers of user `user_id` compiling `document`: graphs, and library entries (which
    see the copies of every graph of the user's that the first reads)."""
    graphs = ServerGraphs(user_id, document)
    return graphs, ServerLibrary(user_id, graphs.snapshots)


def names_dependencies(document: Any) -> bool:
    """Whether `document` names a graph or library version (else `preloaded` reads nothing)."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    return bool(graph_refs(nodes) or library_refs(nodes))


def preloaded(user_id: int, document: Any) -> tuple[GraphResolver, LibraryResolver]:
    """Every graph and library entry `document` uses, read now (on a thread that may use the
    database), as resolvers that read nothing: the compiler may then run where the ORM may not."""
    graphs = ServerGraphs(user_id, document)
    pending = graph_refs(document.get("nodes") if isinstance(document, dict) else None)
    while pending and len(graphs.read) <= MAX_LINKED_GRAPHS:
        graph_id, version = pending.pop()
        if (graph_id, version) in graphs.read:
            continue
        found = graphs(graph_id, version)
        if found is not None:
            pending += graph_refs(found.get("nodes"))
    table = dict(graphs.read)
    documents = [document, *(found for found in table.values() if found is not None)]
    library = preloaded_library(user_id, graphs.snapshots, documents)
    return (lambda graph_id, version: table.get((graph_id, version))), library


def take_snapshots(
    owner_id: int,
    nodes: Any,
    kept: Any,
    share_tokens: Iterable[str] = (),
) -> dict[str, Any]:
    """The `snapshots` of a graph of `owner_id`'s about to be saved with `nodes`: for each graph
    of another user it uses (directly, or through such a copy), the copy it `kept` already, else
    a new one of that graph's current version when the owner may read it now (gallery, or a share
    token in `share_tokens`, used for this and never stored). Copies no longer used are dropped;
    the graphs those copies use travel with them. The code of each library version used (by
    `nodes` or by a graph copied) is embedded too (graphs/library_dependencies.py)."""
    pool: dict[str, Any] = dict(kept) if isinstance(kept, dict) else {}
    tokens = [t for t in share_tokens if isinstance(t, str) and well_formed_token(t)]
    taken: dict[str, Any] = {}
    seen: set[tuple[int, int]] = set()
    pending = graph_refs(nodes)
    while pending and len(seen) <= MAX_LINKED_GRAPHS:
        graph_id, version = pending.pop(0)
        if (graph_id, version) in seen:
            continue
        seen.add((graph_id, version))
        key = snapshot_key(graph_id, version)
        copy = pool.get(key)
        if copy is None:
            rule = Q(published_at__isnull=False)
            if tokens:
                rule |= Q(share_token__in=tokens)
            row = (
                Graph.objects.filter(rule, pk=graph_id)
                .exclude(owner_id=owner_id)
                .values("version", "snapshots", *_DOCUMENT)
                .first()
            )
            if row is None or row["version"] != version:
                continue  # their own graph (pinned, no copy), or unreadable: the compiler says so
            copy = _document(row)
            for inner, inner_copy in (row["snapshots"] or {}).items():
                pool.setdefault(inner, inner_copy)
        elif Graph.objects.filter(pk=graph_id, owner_id=owner_id).exists():
            continue  # it is theirs now (an imported copy, say): their own graph is used
        taken[key] = copy
        pending += graph_refs(copy.get("nodes") if isinstance(copy, dict) else None)
    copied = [c.get("nodes") for c in taken.values() if isinstance(c, dict)]
    taken.update(library_copies(owner_id, [nodes, *copied], pool))
    return taken


def versions_in_use(graph: Graph) -> set[int]:
    """The versions of `graph` that its owner's graphs use (pinned by `graph` nodes)."""
    pattern = [{"type": GRAPH_TYPE, "data": {"params": {"graph_id": graph.pk}}}]
    used: set[int] = set()
    for nodes in Graph.objects.filter(owner_id=graph.owner_id, nodes__contains=pattern).values_list(
        "nodes", flat=True
    ):
        used.update(version for graph_id, version in graph_refs(nodes) if graph_id == graph.pk)
    return used
