"""Export documents (`format_version` 2) and the graphs they carry along.

An export is self-contained: besides the graph, `dependencies.graphs` holds the pinned revision
of every graph it uses, directly or through others (as its owner reads them: their own graphs'
versions, and the copies they hold of other users' graphs). Importing one creates a graph of the
importer's for each dependency (version 1) and remaps every `graph` node to it, so the graph
compiles on any server. Likewise `dependencies.library` holds the code of every library node
version used (as its owner reads it: their own entries, and the copies their graphs hold); an
import creates a library entry of the importer's for each (version 1) and remaps every `lib:`
node to it. Version 1 documents (no dependencies) still import. No share token is ever part of
an export: documents carry nodes and edges only.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone

from graphs.catalogue.nodes_graphs import GRAPH_TYPE
from graphs.dependencies import graph_refs, server_resolvers, take_snapshots
from graphs.library.node import VERSION_PARAM, entry_id_of, node_json, type_id
from graphs.library.parse import parse_function
from graphs.library_dependencies import library_refs
from graphs.library_models import NodeLibraryEntry, NodeLibraryVersion
from graphs.models import EXPORT_FORMAT, EXPORT_FORMAT_VERSION, Graph

CONTENT_FIELDS = ("name", "description", "nodes", "edges", "viewport")
MAX_DEPENDENCIES = 200  # graphs/compiler/linking.py compiles at most this many per script


def export_document(graph: Graph) -> dict[str, Any]:
    """The JSON document `GET /api/graphs/{id}/export/` answers."""
    document = {field: getattr(graph, field) for field in CONTENT_FIELDS}
    graphs, library = server_resolvers(graph.owner_id, {**document, "snapshots": graph.snapshots})
    dependencies: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    pending = graph_refs(graph.nodes)
    while pending and len(seen) < MAX_DEPENDENCIES:
        graph_id, version = pending.pop(0)
        if (graph_id, version) in seen:
            continue
        seen.add((graph_id, version))
        found = graphs(graph_id, version)
        if found is None:
            continue  # unreadable: the graph does not compile here either
        content = {
            "name": found.get("name", ""),
            "description": "",
            "nodes": found.get("nodes", []),
            "edges": found.get("edges", []),
            "viewport": {},
        }
        dependencies.append({"id": graph_id, "version": version, "graph": content})
        pending += graph_refs(content["nodes"])
    entries: list[dict[str, Any]] = []
    node_lists = [graph.nodes, *(d["graph"]["nodes"] for d in dependencies)]
    refs = dict.fromkeys(ref for nodes in node_lists for ref in library_refs(nodes))
    for entry_id, version in list(refs)[:MAX_DEPENDENCIES]:
        entry = library(entry_id, version)
        if entry is not None:  # unreadable: it does not compile here either
            entries.append(
                {
                    "id": entry_id,
                    "version": version,
                    "name": entry.get("name") or "",
                    "code": entry["code"],
                    "description": entry.get("description") or "",
                }
            )
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "graph": document,
        "dependencies": {"graphs": dependencies, "library": entries},
    }


def _remap(
    nodes: Any,
    mapping: dict[tuple[int, int], int],
    library: dict[tuple[int, int], int] | None = None,
) -> Any:
    """`nodes` with each `graph` node naming an imported graph, and each `lib:` node naming an
    imported library entry, pointed at its new id (version 1)."""
    if not isinstance(nodes, list):
        return nodes
    remapped = copy.deepcopy(nodes)
    for node in remapped:
        entry_id = entry_id_of(node.get("type")) if isinstance(node, dict) else None
        if entry_id is not None and library:
            data = node.get("data")
            params = data.get("params") if isinstance(data, dict) else None
            if isinstance(params, dict):
                new_entry = library.get((entry_id, params.get(VERSION_PARAM)))  # type: ignore[arg-type]
                if new_entry is not None:
                    node["type"], params[VERSION_PARAM] = type_id(new_entry), 1
            continue
        if not isinstance(node, dict) or node.get("type") != GRAPH_TYPE:
            continue
        params = node.get("data", {}).get("params") if isinstance(node.get("data"), dict) else None
        if not isinstance(params, dict):
            continue
        new_id = mapping.get((params.get("graph_id"), params.get("version")))  # type: ignore[arg-type]
        if new_id is not None:
            params["graph_id"], params["version"] = new_id, 1
    return remapped


def _import_library(owner: Any, entries: list[dict[str, Any]]) -> dict[tuple[int, int], int]:
    """A library entry of `owner`'s for each exported one (checked to parse by the serializer):
    (exported id, version) -> new entry id."""
    mapping: dict[tuple[int, int], int] = {}
    for item in entries:
        function, _ = parse_function(item["code"])
        if function is None:
            continue
        description = item.get("description") or function.description
        entry = NodeLibraryEntry.objects.create(
            owner=owner, name=function.name, description=description, code=item["code"]
        )
        entry.node = node_json(function, entry.pk, 1, description)
        entry.save(update_fields=["node"])
        NodeLibraryVersion.objects.create(entry=entry, n=1, code=item["code"], node=entry.node)
        mapping[(item["id"], item["version"])] = entry.pk
    return mapping


@transaction.atomic
def import_document(
    owner: Any,
    content: dict[str, Any],
    dependencies: list[dict[str, Any]],
    library: list[dict[str, Any]] | None = None,
) -> Graph:
    """Creates the graph of an export document, one graph per dependency and one library entry
    per library dependency, all `owner`'s."""
    entries = _import_library(owner, library or [])
    versions: dict[int, int] = {}
    for dependency in dependencies:
        versions[dependency["id"]] = versions.get(dependency["id"], 0) + 1
    created: list[tuple[Graph, dict[str, Any]]] = []
    mapping: dict[tuple[int, int], int] = {}
    for dependency in dependencies:
        fields = {f: dependency["graph"][f] for f in CONTENT_FIELDS if f in dependency["graph"]}
        if versions[dependency["id"]] > 1:  # two versions of one graph: two graphs, told apart
            fields["name"] = f"{fields.get('name', '')} (version {dependency['version']})"[:200]
        graph = Graph.objects.create(owner=owner, **fields)
        mapping[(dependency["id"], dependency["version"])] = graph.pk
        created.append((graph, fields))
    for graph, fields in created:
        if "nodes" in fields:
            graph.nodes = _remap(fields["nodes"], mapping, entries)
            graph.snapshots = take_snapshots(owner.pk, graph.nodes, {})
            graph.save(update_fields=["nodes", "snapshots"])
    fields = {f: content[f] for f in CONTENT_FIELDS if f in content}
    if "nodes" in fields:
        fields["nodes"] = _remap(fields["nodes"], mapping, entries)
    fields["snapshots"] = take_snapshots(owner.pk, fields.get("nodes", []), {})
    return Graph.objects.create(owner=owner, **fields)
