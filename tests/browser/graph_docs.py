"""Graph documents the browser tests create through the API (docs/interfaces.md shapes)."""

from __future__ import annotations

from typing import Any


def node(id: str, type: str, x: float, y: float, **params: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "position": {"x": x, "y": y}, "data": {"params": params}}


def edge(source: str, source_handle: str, target: str, target_handle: str) -> dict[str, str]:
    return {
        "id": f"{source}-{source_handle}-{target}-{target_handle}",
        "source": source,
        "sourceHandle": source_handle,
        "target": target,
        "targetHandle": target_handle,
    }


def counting_graph(stop: int, name: str = "Count", then_ask: str | None = None) -> dict[str, Any]:
    """`for i in range(stop): print(i)` as nodes; with `then_ask`, then `print(input(then_ask))`."""
    graph: dict[str, Any] = {
        "name": name,
        "nodes": [
            node("start", "on_start", 0, 0),
            node("stop", "literal", 0, 160, kind="number", value=str(stop)),
            node("loop", "for_range", 260, 0),
            node("print", "print", 560, 0),
        ],
        "edges": [
            edge("start", "next", "loop", "exec"),
            edge("stop", "value", "loop", "stop"),
            edge("loop", "body", "print", "exec"),
            edge("loop", "index", "print", "value"),
        ],
    }
    if then_ask is not None:
        graph["nodes"] += [
            node("ask", "input", 560, 260, prompt=then_ask),
            node("echo", "print", 860, 260),
        ]
        graph["edges"] += [
            edge("loop", "next", "ask", "exec"),
            edge("ask", "next", "echo", "exec"),
            edge("ask", "value", "echo", "value"),
        ]
    return graph


def endless_loop_graph() -> dict[str, Any]:
    """Prints "tick" every 50 ms until killed."""
    return {
        "name": "Forever",
        "nodes": [
            node("start", "on_start", 0, 0),
            node("yes", "literal", 0, 150, kind="bool", value="true"),
            node("loop", "while", 250, 0, max_iterations=0),
            node("tick", "literal", 250, 250, kind="text", value="tick"),
            node("print", "print", 520, 0),
            node("pause", "literal", 520, 200, kind="number", value="0.05"),
            node("sleep", "sleep", 780, 0),
        ],
        "edges": [
            edge("start", "next", "loop", "exec"),
            edge("yes", "value", "loop", "condition"),
            edge("loop", "body", "print", "exec"),
            edge("tick", "value", "print", "value"),
            edge("print", "next", "sleep", "exec"),
            edge("pause", "value", "sleep", "seconds"),
        ],
    }
