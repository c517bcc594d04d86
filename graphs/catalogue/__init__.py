"""The node catalogue: every node type, defined once (see docs/catalogue.md).

Adding a node type = adding one `NodeType` to a `nodes_*.py` module's `NODES`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphs.catalogue import (
    nodes_code,
    nodes_flow,
    nodes_graphs,
    nodes_ops,
    nodes_output,
    nodes_values,
)
from graphs.catalogue.model import NodeType
from graphs.catalogue.types import compatibility_json

CATEGORIES = (
    ("events", "Events"),
    ("io", "Input / Output"),
    ("output", "Charts and tables"),
    ("values", "Values"),
    ("math", "Math"),
    ("logic", "Logic"),
    ("text", "Text"),
    ("collections", "Collections"),
    ("variables", "Variables"),
    ("control", "Control flow"),
    ("functions", "Functions"),
    ("advanced", "Advanced"),
)
CATALOGUE_VERSION = 1

NODE_TYPES: dict[str, NodeType] = {
    node.type: node
    for module in (nodes_values, nodes_ops, nodes_flow, nodes_output, nodes_code, nodes_graphs)
    for node in module.NODES
}


@cache
def catalogue_json() -> dict[str, Any]:
    """The `GET /api/nodes/` answer, in palette order (category, then definition order)."""
    order = {category: index for index, (category, _) in enumerate(CATEGORIES)}
    nodes = sorted(NODE_TYPES.values(), key=lambda node: order[node.category])
    return {
        "version": CATALOGUE_VERSION,
        "categories": [{"id": cid, "title": title} for cid, title in CATEGORIES],
        "nodes": [node.to_json() for node in nodes],
        "type_compatibility": compatibility_json(),
    }


__all__ = ["CATEGORIES", "NODE_TYPES", "NodeType", "catalogue_json"]
