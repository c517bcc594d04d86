"""Graph documents for the compile benches: nodes and edges in the editor's (React Flow) shape."""

from __future__ import annotations

from typing import Any


def node(node_id: str, type_: str, y: float, pins: dict | None = None, **params: Any) -> dict:
    """A node at (0, y) with `params`, and pin values `pins` for its unwired inputs."""
    data: dict[str, Any] = {"params": params}
    if pins:
        data["inputs"] = pins
    return {"id": node_id, "type": type_, "position": {"x": 0, "y": y}, "data": data}


def edge(source: str, source_port: str, target: str, target_port: str) -> dict:
    return {
        "id": f"{source}.{source_port}->{target}.{target_port}",
        "source": source,
        "sourceHandle": source_port,
        "target": target,
        "targetHandle": target_port,
    }
