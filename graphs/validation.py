"""Structural checks of a saved graph document (React Flow shape), as pure functions.

What is checked here is only what every graph needs to be stored and reopened by the editor:
lists of objects, unique string ids, finite positions, edges that join existing nodes, a sane
viewport, and size limits. Whether a node *type* exists or ports fit together is the compiler's
business (it reports diagnostics; a half-built graph must still be savable).

Each message names the element (`nodes[3] (id 'n4')`) and the field at fault, so the editor can
point at it. The number of messages per field is capped to keep error responses small.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MAX_ID_LENGTH = 255
MAX_MESSAGES_PER_FIELD = 20

Errors = dict[str, list[str]]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _id_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return f"must be a non-empty string, got {_type_name(value)}"
    if len(value) > MAX_ID_LENGTH:
        return f"must be at most {MAX_ID_LENGTH} characters"
    return None


def _label(kind: str, index: int, item: Any) -> str:
    """`nodes[3] (id 'n4')` when the element has a usable id, else `nodes[3]`."""
    if isinstance(item, dict) and _id_problem(item.get("id")) is None:
        return f"{kind}[{index}] (id {item['id'][:60]!r})"
    return f"{kind}[{index}]"


def _capped(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_MESSAGES_PER_FIELD:
        return messages
    hidden = len(messages) - MAX_MESSAGES_PER_FIELD
    return [*messages[:MAX_MESSAGES_PER_FIELD], f"... and {hidden} more problems."]


def _validate_items(
    items: Any, field: str, max_count: int, check_item: Callable[[str, dict, list[str]], None]
) -> list[str]:
    """The rules nodes and edges share: an array, bounded, of objects with unique string ids.

    `check_item(label, item, problems)` adds the kind's own rules right after each item's id
    check, so every item's problems stay together and in field order.
    """
    noun = field[:-1]
    if not isinstance(items, list):
        return [f"{field} must be an array of {noun} objects, got {_type_name(items)}."]
    if len(items) > max_count:
        return [f"A graph may have at most {max_count} {field}; this one has {len(items)}."]
    problems: list[str] = []
    first_index_of: dict[str, int] = {}
    for index, item in enumerate(items):
        label = _label(field, index, item)
        if not isinstance(item, dict):
            problems.append(f"{label} must be an object, got {_type_name(item)}.")
            continue
        id_problem = _id_problem(item.get("id"))
        if id_problem:
            problems.append(f"{label}: id {id_problem}.")
        elif item["id"] in first_index_of:
            problems.append(
                f"{label}: id is already used by {field}[{first_index_of[item['id']]}]; "
                f"{noun} ids must be unique."
            )
        else:
            first_index_of[item["id"]] = index
        check_item(label, item, problems)
    return _capped(problems)


def _check_node(label: str, node: dict, problems: list[str]) -> None:
    node_type = node.get("type")
    if not isinstance(node_type, str) or not node_type.strip():
        problems.append(f"{label}: type must be a non-empty string, got {_type_name(node_type)}.")
    position = node.get("position")
    if not isinstance(position, dict):
        problems.append(
            f"{label}: position must be an object {{x, y}}, got {_type_name(position)}."
        )
    else:
        for axis in ("x", "y"):
            if not _is_finite_number(position.get(axis)):
                problems.append(
                    f"{label}: position.{axis} must be a finite number, "
                    f"got {_type_name(position.get(axis))}."
                )
    if "data" in node and not isinstance(node["data"], dict):
        problems.append(f"{label}: data must be an object, got {_type_name(node['data'])}.")
    elif isinstance(node.get("data"), dict) and "inputs" in node["data"]:
        _check_pin_values(label, node["data"]["inputs"], problems)


def _check_pin_values(label: str, inputs: Any, problems: list[str]) -> None:
    """`data.inputs`: values typed on pins, one JSON scalar per port id (docs/catalogue.md).
    Whether a value suits its port's type is the compiler's business (a warning there)."""
    if not isinstance(inputs, dict):
        problems.append(f"{label}: data.inputs must be an object, got {_type_name(inputs)}.")
        return
    for port, value in inputs.items():
        if len(port) > MAX_ID_LENGTH:
            problems.append(f"{label}: data.inputs has a port id over {MAX_ID_LENGTH} characters.")
        elif not (value is None or isinstance(value, str | bool) or _is_finite_number(value)):
            problems.append(
                f"{label}: data.inputs[{port[:60]!r}] must be a string, a finite "
                f"number, a boolean or null, got {_type_name(value)}."
            )


def validate_nodes(nodes: Any, max_nodes: int) -> list[str]:
    return _validate_items(nodes, "nodes", max_nodes, _check_node)


def node_ids(nodes: Any) -> set[str]:
    """The ids edges may refer to (tolerant of malformed nodes, which are reported elsewhere)."""
    if not isinstance(nodes, list):
        return set()
    return {
        node["id"]
        for node in nodes
        if isinstance(node, dict) and isinstance(node.get("id"), str) and node["id"]
    }


def validate_edges(edges: Any, known_node_ids: set[str], max_edges: int) -> list[str]:
    def check_edge(label: str, edge: dict, problems: list[str]) -> None:
        for end in ("source", "target"):
            value = edge.get(end)
            end_problem = _id_problem(value)
            if end_problem:
                problems.append(f"{label}: {end} {end_problem}.")
            elif value not in known_node_ids:
                problems.append(f"{label}: {end} {str(value)[:60]!r} is not a node of this graph.")
        for handle in ("sourceHandle", "targetHandle"):
            value = edge.get(handle)
            if value is not None and not isinstance(value, str):
                problems.append(
                    f"{label}: {handle} must be a string or null, got {_type_name(value)}."
                )

    return _validate_items(edges, "edges", max_edges, check_edge)


def validate_viewport(viewport: Any) -> list[str]:
    """`{}` (not set yet) or `{x, y, zoom}` with finite numbers and a positive zoom."""
    if not isinstance(viewport, dict):
        return [f"viewport must be an object {{x, y, zoom}}, got {_type_name(viewport)}."]
    if not viewport:
        return []
    problems = [
        f"viewport.{key} must be a finite number, got {_type_name(viewport.get(key))}."
        for key in ("x", "y", "zoom")
        if not _is_finite_number(viewport.get(key))
    ]
    if not problems and viewport["zoom"] <= 0:
        problems.append("viewport.zoom must be greater than 0.")
    return problems


def validate_graph(
    nodes: Any, edges: Any, viewport: Any, *, max_nodes: int, max_edges: int
) -> Errors:
    """All structural problems of a graph document, keyed by field; empty when it is valid."""
    errors: Errors = {}
    if node_problems := validate_nodes(nodes, max_nodes):
        errors["nodes"] = node_problems
    if edge_problems := validate_edges(edges, node_ids(nodes), max_edges):
        errors["edges"] = edge_problems
    if viewport_problems := validate_viewport(viewport):
        errors["viewport"] = viewport_problems
    return errors
