"""Graph documents and helpers shared by the test_graphs_* modules."""

from __future__ import annotations

import copy
from typing import Any

from graphs.models import Graph

SAMPLE: dict[str, Any] = {
    "nodes": [
        {
            "id": "start",
            "type": "flow.start",
            "position": {"x": 0, "y": 0},
            "data": {"params": {}},
        },
        {
            "id": "say",
            "type": "io.print",
            "position": {"x": 240.5, "y": -10},
            "data": {"params": {"text": "hello"}, "label": "Say hello"},
        },
    ],
    "edges": [
        {
            "id": "e1",
            "source": "start",
            "sourceHandle": "exec_out",
            "target": "say",
            "targetHandle": "exec_in",
        }
    ],
    "viewport": {"x": 10, "y": 20, "zoom": 1.5},
}


def sample(**overrides: Any) -> dict[str, Any]:
    """A fresh, valid graph body (deep copy), with `overrides` applied."""
    body = copy.deepcopy(SAMPLE)
    body.setdefault("name", "Hello graph")
    body.update(overrides)
    return body


def make_graph(owner: Any, **overrides: Any) -> Graph:
    fields = sample(**overrides)
    return Graph.objects.create(owner=owner, **fields)


def graph_url(graph: Graph | int, suffix: str = "") -> str:
    pk = graph if isinstance(graph, int) else graph.pk
    return f"/api/graphs/{pk}/{suffix}"
