"""A graph's signature: the inputs it takes and the outputs it gives, read off its Graph input and
Graph output nodes (docs/catalogue.md, "Graphs as functions").

`{"inputs": [{"name", "type", "required", "default", "description"}], "outputs": [{"name",
"type"}]}`, each list in canvas order (top to bottom, then left to right, then node id), so the
same graph always gives the same signature. A node with an invalid or repeated name is an error
and is left out of the signature.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from typing import Any

from graphs.catalogue.model import fits_type
from graphs.catalogue.nodes_graphs import GRAPH_INPUT_TYPE, GRAPH_OUTPUT_TYPE
from graphs.catalogue.types import DATA_TYPES
from graphs.compiler.graph import Graph, Node
from graphs.compiler.result import Diagnostic

MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class GraphInput:
    node_id: str
    name: str
    type: str
    required: bool
    default: Any
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }


@dataclass(frozen=True)
class GraphOutput:
    node_id: str
    name: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type}


@dataclass
class Signature:
    inputs: list[GraphInput] = field(default_factory=list)
    outputs: list[GraphOutput] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": [item.to_dict() for item in self.inputs],
            "outputs": [item.to_dict() for item in self.outputs],
        }

    def input_for(self, node_id: str) -> GraphInput | None:
        return next((item for item in self.inputs if item.node_id == node_id), None)

    def output_for(self, node_id: str) -> GraphOutput | None:
        return next((item for item in self.outputs if item.node_id == node_id), None)


def empty_signature() -> dict[str, Any]:
    return {"inputs": [], "outputs": []}


def _order(node: Node) -> tuple[float, float, str]:
    return (node.y, node.x, node.id)


def _valid_name(
    node: Node, kind: str, taken: set[str], diagnostics: list[Diagnostic]
) -> str | None:
    raw = node.params.get("name")
    name = raw.strip() if isinstance(raw, str) else ""
    if not name or len(name) > MAX_NAME_CHARS or not name.isidentifier() or keyword.iskeyword(name):
        shown = repr(str(raw)[:40])
        diagnostics.append(
            Diagnostic(
                "error",
                "invalid_name",
                f"The {kind} name {shown} is not a valid Python name "
                f"(letters, digits and _, not starting with a digit, not a keyword).",
                node.id,
                "name",
            )
        )
        return None
    if name in taken:
        diagnostics.append(
            Diagnostic(
                "error",
                "duplicate_name",
                f"Another {kind} is already named {name!r}; each {kind} needs its own name.",
                node.id,
                "name",
            )
        )
        return None
    taken.add(name)
    return name


def derive_signature(graph: Graph, diagnostics: list[Diagnostic]) -> Signature:
    """The signature of a read graph; problems with its input and output nodes are reported."""
    signature = Signature()
    inputs = sorted(
        (n for n in graph.nodes.values() if n.type == GRAPH_INPUT_TYPE and n.definition),
        key=_order,
    )
    outputs = sorted(
        (n for n in graph.nodes.values() if n.type == GRAPH_OUTPUT_TYPE and n.definition),
        key=_order,
    )
    taken: set[str] = set()
    for node in inputs:
        name = _valid_name(node, "graph input", taken, diagnostics)
        type_ = node.params.get("type")
        type_ = type_ if type_ in DATA_TYPES else "any"
        if (node.id, "default") in graph.data_in:
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "default_wired",
                    "A graph input's default is the value typed on its pin; the wire is ignored.",
                    node.id,
                    "default",
                )
            )
        default = node.inputs.get("default")
        if default is not None and not fits_type(default, type_):
            diagnostics.append(
                Diagnostic(
                    "error",
                    "invalid_default",
                    f"The default {str(default)[:40]!r} is not a {type_} value.",
                    node.id,
                    "default",
                )
            )
            continue
        if name is None:
            continue
        description = node.params.get("description")
        signature.inputs.append(
            GraphInput(
                node.id,
                name,
                type_,
                default is None,
                default,
                description if isinstance(description, str) else "",
            )
        )
    taken = set()
    for node in outputs:
        name = _valid_name(node, "graph output", taken, diagnostics)
        type_ = node.params.get("type")
        if name is not None:
            signature.outputs.append(
                GraphOutput(node.id, name, type_ if type_ in DATA_TYPES else "any")
            )
    return signature
