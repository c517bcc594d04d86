"""A debug run's table (docs/debugging.md): what the web side tells the pool worker about the
instrumented script, and what both sides translate node and edge ids with."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

RESUME_MODES = ("continue", "step")
# The worker's events of a debug run, carried in `run.output` chunks as [type, event].
DEBUG_EVENTS = ("trace", "paused")


@dataclass(frozen=True)
class DebugTable:
    """What the pool knows of a debug run's script: index -> id for its nodes and data edges,
    script line -> node index, the nodes that can pause, and the breakpoints to start with."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    lines: tuple[tuple[int, int], ...]
    stoppable: frozenset[int]
    breakpoints: frozenset[int]

    @classmethod
    def from_message(cls, message: Any) -> DebugTable:
        """From a run request's `debug` object; ValueError when it is not one."""
        if not isinstance(message, dict):
            raise ValueError("debug must be an object")
        nodes = _strings(message.get("nodes"), "nodes")
        edges = _strings(message.get("edges"), "edges")
        lines = message.get("lines")
        if not isinstance(lines, list) or not all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(is_int(x) for x in pair)
            and 0 <= pair[1] < len(nodes)
            for pair in lines
        ):
            raise ValueError("debug.lines must be [line, node index] pairs")
        stoppable = _indices(message.get("stoppable"), len(nodes), "stoppable")
        breakpoints = _indices(message.get("breakpoints", []), len(nodes), "breakpoints")
        return cls(
            nodes=tuple(nodes),
            edges=tuple(edges),
            lines=tuple((line, node) for line, node in lines),
            stoppable=frozenset(stoppable),
            breakpoints=frozenset(breakpoints) & frozenset(stoppable),
        )

    @classmethod
    def from_compile(cls, info: Any, breakpoint_ids: Iterable[str]) -> DebugTable:
        """From the compiler's DebugInfo and the client's breakpoints (by node id)."""
        table = cls(
            nodes=tuple(info.nodes),
            edges=tuple(info.edges),
            lines=tuple(sorted(info.lines.items())),
            stoppable=frozenset(info.stoppable),
            breakpoints=frozenset(),
        )
        return replace(table, breakpoints=frozenset(table.node_indices(list(breakpoint_ids))))

    def to_message(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes),
            "edges": list(self.edges),
            "lines": [list(pair) for pair in self.lines],
            "stoppable": sorted(self.stoppable),
            "breakpoints": sorted(self.breakpoints),
        }

    def runner_table(self) -> bytes:
        """The table the runner reads after the script (it needs counts, not ids)."""
        return json.dumps(
            {
                "nodes": len(self.nodes),
                "edges": len(self.edges),
                "lines": [list(pair) for pair in self.lines],
                "stoppable": sorted(self.stoppable),
                "breakpoints": sorted(self.breakpoints),
            },
            separators=(",", ":"),
        ).encode()

    def node_indices(self, node_ids: list[str]) -> list[int]:
        """Breakpoints by id -> by index; ids the script cannot stop at are left out."""
        index = {node_id: k for k, node_id in enumerate(self.nodes)}
        return sorted({index[n] for n in node_ids if index.get(n) in self.stoppable})


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"debug.{name} must be a list of strings")
    return value


def _indices(value: Any, size: int, name: str) -> list[int]:
    if not isinstance(value, list) or not all(is_int(v) and 0 <= v < size for v in value):
        raise ValueError(f"debug.{name} must be a list of node indices")
    return value
