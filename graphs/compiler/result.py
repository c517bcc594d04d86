"""What the compiler gives back: the code, the diagnostics, a line -> node source map and, for a
debug compile, the tables of its instrumentation (docs/debugging.md, section 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    node_id: str | None = None
    port: str | None = None
    # Where in a piece of Python source the problem is (1-based; col counts characters), for
    # diagnostics about code rather than a graph: a library node's function (graphs/library/).
    line: int | None = None
    col: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "node_id": self.node_id,
            "port": self.port,
            "line": self.line,
            "col": self.col,
        }


@dataclass
class DebugInfo:
    """A debug compile's tables: indices k and e as the instrumented script uses them."""

    nodes: list[str] = field(default_factory=list)  # k -> node id (every node the script names)
    edges: list[str] = field(default_factory=list)  # e -> id of a data edge tapped as _ne_v<e>
    lines: dict[int, int] = field(default_factory=dict)  # script line -> k (the source map)
    stoppable: list[int] = field(default_factory=list)  # k of the nodes that count and pause

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes),
            "edges": list(self.edges),
            "lines": {str(line): k for line, k in sorted(self.lines.items())},
            "stoppable": list(self.stoppable),
        }


@dataclass
class CompileResult:
    code: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source_map: dict[int, str] = field(default_factory=dict)
    debug: DebugInfo | None = None  # set by a debug compile only
    # {"inputs": [{"name", "type", "required", "default", "description"}], "outputs": [{"name",
    # "type"}]}: graphs/compiler/signature.py
    signature: dict[str, Any] = field(default_factory=lambda: {"inputs": [], "outputs": []})

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "source_map": {str(line): node for line, node in sorted(self.source_map.items())},
            "signature": self.signature,
        }
        if self.debug is not None:
            data["debug"] = self.debug.to_dict()
        return data
