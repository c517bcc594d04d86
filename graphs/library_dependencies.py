"""The library entries a graph uses (`lib:<id>` nodes): which code each (entry, version) is, for
whom, and the copies a graph embeds when it is saved.

The compiler reads entries only through a resolver (graphs/compiler/library.py); this is the
server's, for user U:

1. U's own entry: that version of it (every version is kept).
2. Otherwise a copy: one embedded in the document being compiled, in a graph of U's that it
   uses, or in any graph of U's (key `"lib:<id>@<version>"` in a graph's `snapshots`). A graph
   embeds, when it is saved, the code of each library version it uses (`library_copies`): U's own
   entries, and the copies it already kept. So a shared or gallery graph compiles for its readers
   from its own copy, and an entry can never be read by writing `lib:<id>` into a graph: without
   a copy it is an error that shows no code.

A published entry is not readable here: another user adds it to their library (a fork) first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeGuard

from graphs.compiler import LibraryResolver, library_key
from graphs.compiler.library import MAX_LIBRARY_VERSIONS
from graphs.library.node import VERSION_PARAM, entry_id_of
from graphs.library_models import NodeLibraryVersion
from graphs.models import Graph, GraphRevision

_COPY = ("name", "code", "description")


def library_refs(nodes: Any) -> list[tuple[int, int]]:
    """The (entry id, version) pairs a document's `lib:` nodes name, in order, once each."""
    refs: dict[tuple[int, int], None] = {}
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        entry_id = entry_id_of(node.get("type"))
        data = node.get("data")
        params = data.get("params") if isinstance(data, dict) else None
        version = params.get(VERSION_PARAM) if isinstance(params, dict) else None
        if entry_id is not None and _positive(entry_id) and _positive(version):
            refs[(entry_id, version)] = None
    return list(refs)


def _positive(value: Any) -> TypeGuard[int]:
    return type(value) is int and 0 < value < 2**63


def _own_versions(owner_id: int, refs: Iterable[tuple[int, int]]) -> dict[str, dict[str, Any]]:
    """{"lib:<id>@<n>": copy} of the refs that are versions of `owner_id`'s own entries."""
    wanted = list(refs)[: MAX_LIBRARY_VERSIONS + 1]
    if not wanted:
        return {}
    ids = {entry_id for entry_id, _ in wanted}
    rows = NodeLibraryVersion.objects.filter(
        entry_id__in=ids, entry__owner_id=owner_id, n__in={n for _, n in wanted}
    ).values("entry_id", "n", "code", "entry__name", "entry__description")
    return {
        library_key(row["entry_id"], row["n"]): {
            "name": row["entry__name"],
            "code": row["code"],
            "description": row["entry__description"],
        }
        for row in rows
        if (row["entry_id"], row["n"]) in set(wanted)
    }


class ServerLibrary:
    """The resolver of user `user_id` (rules in the module docstring). `snapshots` is the copies
    known so far: the document's own, and (shared with graphs/dependencies.py's ServerGraphs)
    those of the user's graphs it reads."""

    def __init__(self, user_id: int, snapshots: dict[str, Any]) -> None:
        self.user_id = user_id
        self.snapshots = snapshots
        self.read: dict[tuple[int, int], dict[str, Any] | None] = {}

    def __call__(self, entry_id: int, version: int) -> dict[str, Any] | None:
        key = (entry_id, version)
        if key not in self.read:
            self.read[key] = self._resolve(entry_id, version)
        return self.read[key]

    def _resolve(self, entry_id: int, version: int) -> dict[str, Any] | None:
        if not (_positive(entry_id) and _positive(version)):
            return None
        own = _own_versions(self.user_id, [(entry_id, version)])
        key = library_key(entry_id, version)
        if key in own:
            return own[key]
        copy = self.snapshots.get(key)
        if copy is None:
            copy = _held_copy(self.user_id, key)
        return copy if isinstance(copy, dict) and isinstance(copy.get("code"), str) else None


def _held_copy(user_id: int, key: str) -> Any:
    """A copy of `key` embedded in any of the user's graphs (or their history)."""
    holder = (
        Graph.objects.filter(owner_id=user_id, snapshots__has_key=key)
        .values_list("snapshots", flat=True)
        .first()
    )
    if holder is None:
        holder = (
            GraphRevision.objects.filter(graph__owner_id=user_id, snapshots__has_key=key)
            .values_list("snapshots", flat=True)
            .first()
        )
    return holder.get(key) if isinstance(holder, dict) else None


def preloaded_library(
    user_id: int, snapshots: dict[str, Any], documents: Iterable[Any]
) -> LibraryResolver:
    """Every entry version the documents' `lib:` nodes use, read now (where the ORM may be used),
    as a resolver that reads nothing."""
    library = ServerLibrary(user_id, snapshots)
    for document in documents:
        nodes = document.get("nodes") if isinstance(document, dict) else None
        for entry_id, version in library_refs(nodes):
            if len(library.read) > MAX_LIBRARY_VERSIONS:
                break
            library(entry_id, version)
    table = dict(library.read)
    return lambda entry_id, version: table.get((entry_id, version))


def library_copies(
    owner_id: int, node_lists: Iterable[Any], pool: dict[str, Any]
) -> dict[str, Any]:
    """The library copies a graph of `owner_id`'s embeds when saved, whose nodes (and the nodes
    of the graph copies it keeps) are `node_lists`: each version of the owner's own entries, else
    the copy found in `pool` (what it kept, and what the graphs it copies carried), else one
    another graph of the owner's holds. Anything else is embedded by nobody: never readable."""
    refs: dict[tuple[int, int], None] = {}
    for nodes in node_lists:
        refs.update(dict.fromkeys(library_refs(nodes)))
    own = _own_versions(owner_id, refs)
    copies: dict[str, Any] = {}
    for entry_id, version in list(refs)[:MAX_LIBRARY_VERSIONS]:
        key = library_key(entry_id, version)
        copy = own.get(key) or pool.get(key) or _held_copy(owner_id, key)
        if isinstance(copy, dict) and isinstance(copy.get("code"), str):
            copies[key] = {field: copy.get(field) for field in _COPY}
    return copies
