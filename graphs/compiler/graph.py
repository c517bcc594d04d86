"""Reading an untrusted graph document into checked nodes and edges.

Whatever the input, this yields a consistent structure plus diagnostics: malformed nodes are
skipped, unknown types kept as inert nodes, bad params replaced by their defaults, and every edge
either resolved to two real ports of compatible kinds or dropped with a diagnostic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphs.catalogue import NODE_TYPES, NodeType
from graphs.catalogue.model import Port, fits_type
from graphs.catalogue.nodes_graphs import GRAPH_TYPE
from graphs.catalogue.types import types_compatible
from graphs.compiler.result import Diagnostic, Severity
from graphs.library.node import TYPE_PREFIX as LIBRARY_PREFIX

MAX_NODES = 50_000
MAX_EDGES = 200_000
MAX_ID_CHARS = 200


@dataclass(slots=True)
class Node:
    id: str
    type: str
    index: int
    x: float
    y: float
    definition: NodeType | None
    params: dict[str, Any] = field(default_factory=dict)
    ports: dict[str, Port] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # values typed on unwired data pins

    @property
    def canvas_key(self) -> tuple[float, float, int]:
        """Top to bottom, then left to right, then document order."""
        return (self.y, self.x, self.index)

    def names(self, param_id: str) -> list[str]:
        """The names a dynamic-port param yields (same rule as the ports themselves)."""
        assert self.definition is not None
        for rule in self.definition.dynamic_ports:
            if rule.param == param_id:
                param = self.definition.params_by_id[param_id]
                return rule.names(self.params.get(param_id), param.default)
        return []


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    # (target node, input port) -> (source node, output port)
    data_in: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # source node -> [(output port, target node, input port)]
    data_out: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # (source node, exec output port) -> target node
    exec_next: dict[tuple[str, str], str] = field(default_factory=dict)
    exec_edge_count: int = 0
    # (target node, input port) -> the id of the data edge into it (debug runs show its value)
    data_edge_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    # `graph` node -> the function built from the graph it uses (graphs/compiler/linking.py)
    links: dict[str, Any] = field(default_factory=dict)


class Linker(Protocol):
    """What the reader asks about a `graph` node (implemented by graphs/compiler/linking.py):
    the function built from the graph it names, or None after reporting why there is none."""

    def link(self, node: Node, diagnostics: list[Diagnostic]) -> Any | None: ...

    def library_type(
        self, node_id: str, type_name: str, raw_params: Any, diagnostics: list[Diagnostic]
    ) -> NodeType | None:
        """The node type of a library node (`lib:<id>`), or None after reporting why not."""
        ...


def _finite(value: Any) -> float:
    if type(value) in (int, float) and math.isfinite(value):  # not bool, a subclass of int
        return float(value)
    return 0.0


def _node_id(value: Any) -> str | None:
    if type(value) is str and 0 < len(value) <= MAX_ID_CHARS:  # the common case, first
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS:
        return value
    return None


class GraphReader:
    def __init__(self, diagnostics: list[Diagnostic], linker: Linker | None = None) -> None:
        self.diagnostics = diagnostics
        self.graph = Graph()
        self.linker = linker  # None: `graph` nodes get their exec ports only (signature reads)

    def report(
        self,
        severity: Severity,
        code: str,
        message: str,
        node_id: str | None = None,
        port: str | None = None,
    ) -> None:
        self.diagnostics.append(Diagnostic(severity, code, message, node_id, port))

    def read(self, document: Any) -> Graph:
        if not isinstance(document, dict):
            self.report(
                "error", "invalid_graph", "The graph must be an object with nodes and edges."
            )
            return self.graph
        nodes, edges = document.get("nodes", []), document.get("edges", [])
        if not isinstance(nodes, list):
            self.report("error", "invalid_graph", "`nodes` must be a list.")
            nodes = []
        if not isinstance(edges, list):
            self.report("error", "invalid_graph", "`edges` must be a list.")
            edges = []
        if len(nodes) > MAX_NODES or len(edges) > MAX_EDGES:
            self.report(
                "error",
                "graph_too_large",
                f"The graph is too large (at most {MAX_NODES} nodes, {MAX_EDGES} edges).",
            )
            return self.graph
        for index, raw in enumerate(nodes):
            self._read_node(index, raw)
        for raw in edges:
            self._read_edge(raw)
        return self.graph

    def _read_node(self, index: int, raw: Any) -> None:
        if not isinstance(raw, dict):
            self.report("error", "invalid_node", f"Node #{index + 1} is not an object; skipped.")
            return
        node_id = _node_id(raw.get("id"))
        if node_id is None:
            self.report("error", "invalid_node", f"Node #{index + 1} has no valid id; skipped.")
            return
        if node_id in self.graph.nodes:
            self.report(
                "error",
                "duplicate_node_id",
                f"Two nodes share the id {node_id!r}; the second is skipped.",
                node_id,
            )
            return
        type_name = raw.get("type")
        definition = NODE_TYPES.get(type_name) if isinstance(type_name, str) else None
        data = raw.get("data")
        params = data.get("params") if isinstance(data, dict) else None
        params = params if isinstance(params, dict) else {}
        library = (
            definition is None
            and isinstance(type_name, str)
            and type_name.startswith(LIBRARY_PREFIX)
            and self.linker is not None
        )
        if library:
            assert self.linker is not None and isinstance(type_name, str)
            definition = self.linker.library_type(node_id, type_name, params, self.diagnostics)
        position = raw.get("position")
        position = position if isinstance(position, dict) else {}
        node = Node(
            node_id,
            type_name if isinstance(type_name, str) else "",
            index,
            _finite(position.get("x")),
            _finite(position.get("y")),
            definition,
        )
        self.graph.nodes[node_id] = node
        if definition is None:
            if library:
                return  # reported by the linker (graphs/compiler/library.py)
            shown = repr(type_name)[:60]
            self.report(
                "error",
                "unknown_node_type",
                f"Unknown node type {shown}; the node is ignored.",
                node_id,
            )
            return
        for param in definition.params:
            value, ok = param.coerce(params.get(param.id))
            if not ok:
                self.report(
                    "warning",
                    "invalid_param",
                    f"Setting {param.label!r} has an invalid value; using {param.default!r}.",
                    node_id,
                    param.id,
                )
            node.params[param.id] = value
        node.ports = definition.ports_for(node.params)
        if type_name == GRAPH_TYPE and self.linker is not None:
            # Its data ports come from the signature of the graph it uses.
            link = self.linker.link(node, self.diagnostics)
            if link is not None:
                node.ports = {**node.ports, **link.ports}
                self.graph.links[node_id] = link
        inputs = data.get("inputs") if isinstance(data, dict) else None
        if isinstance(inputs, dict):
            self._read_pin_values(node, inputs)

    def _read_pin_values(self, node: Node, inputs: dict[Any, Any]) -> None:
        """`data.inputs`: a value per data input; one that does not suit its port is dropped
        (the port's default is used), a key that names no data input is ignored (the value of a
        dynamic port that is gone, kept for when it comes back)."""
        for port_id, value in inputs.items():
            port = node.ports.get(port_id) if isinstance(port_id, str) else None
            if port is None or port.kind != "data" or port.direction != "input" or value is None:
                continue
            if fits_type(value, port.type):
                node.inputs[port_id] = value
            else:
                self.report(
                    "warning",
                    "invalid_input_value",
                    f"The value typed on "
                    f"{port.label or port.id!r} is not a {port.type} value; using "
                    f"{port.default!r}.",
                    node.id,
                    port_id,
                )

    def _read_edge(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            self.report("warning", "dangling_edge", "An edge is not an object; ignored.")
            return
        source, target = _node_id(raw.get("source")), _node_id(raw.get("target"))
        source_port, target_port = raw.get("sourceHandle"), raw.get("targetHandle")
        source_node = self.graph.nodes.get(source) if source else None
        target_node = self.graph.nodes.get(target) if target else None
        if source_node is None or target_node is None:
            self.report(
                "warning",
                "dangling_edge",
                "An edge joins a node that does not exist; ignored.",
                source or target,
            )
            return
        if source_node.definition is None or target_node.definition is None:
            return  # the unknown node was reported already
        out_port = source_node.ports.get(source_port) if isinstance(source_port, str) else None
        in_port = target_node.ports.get(target_port) if isinstance(target_port, str) else None
        if out_port is None or out_port.direction != "output":
            self.report(
                "warning",
                "dangling_edge",
                f"Node {source!r} has no output port "
                f"{str(source_port)[:60]!r}; the edge is ignored.",
                source,
            )
            return
        if in_port is None or in_port.direction != "input":
            self.report(
                "warning",
                "dangling_edge",
                f"Node {target!r} has no input port "
                f"{str(target_port)[:60]!r}; the edge is ignored.",
                target,
            )
            return
        if out_port.kind != in_port.kind:
            self.report(
                "error",
                "kind_mismatch",
                "An execution port is wired to a data port; the edge is ignored.",
                target,
                in_port.id,
            )
            return
        if out_port.kind == "exec":
            self._add_exec_edge(source_node.id, out_port.id, target_node.id)
        else:
            self._add_data_edge(source_node.id, out_port, target_node.id, in_port, raw.get("id"))

    def _add_exec_edge(self, source: str, port: str, target: str) -> None:
        graph = self.graph
        existing = graph.exec_next.get((source, port))
        if existing == target:
            return
        graph.exec_edge_count += 1
        if existing is not None:
            self.report(
                "warning",
                "exec_output_wired_twice",
                "An execution output can drive only one chain; the extra edge is ignored.",
                source,
                port,
            )
            return
        graph.exec_next[(source, port)] = target

    def _add_data_edge(
        self, source: str, out_port: Port, target: str, in_port: Port, edge_id: Any = None
    ) -> None:
        graph = self.graph
        existing = graph.data_in.get((target, in_port.id))
        if existing == (source, out_port.id):
            return
        if existing is not None:
            self.report(
                "error",
                "input_wired_twice",
                "This input is wired twice; only the first edge is used.",
                target,
                in_port.id,
            )
            return
        if not types_compatible(out_port.type, in_port.type):
            self.report(
                "warning",
                "type_mismatch",
                f"A {out_port.type} value is wired to a {in_port.type} input.",
                target,
                in_port.id,
            )
        graph.data_in[(target, in_port.id)] = (source, out_port.id)
        graph.data_out.setdefault(source, []).append((out_port.id, target, in_port.id))
        edge_id = _node_id(edge_id)
        if edge_id is not None:
            graph.data_edge_ids[(target, in_port.id)] = edge_id
