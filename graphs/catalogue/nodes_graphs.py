"""A graph as a function: Graph input, Graph output, and Graph (another graph used as a node).

What these nodes mean depends on where the graph is compiled (the script itself, or a function
built from a graph used as a node), so their generators ask the compiler (`NodeContext`); the
rules are in docs/catalogue.md, "Graphs as functions".
"""

from __future__ import annotations

import ast

from graphs.catalogue.model import (
    NodeContext,
    NodeType,
    Param,
    choices,
    data_in,
    data_out,
    exec_in,
    exec_out,
)
from graphs.catalogue.types import DATA_TYPES

GRAPH_INPUT_TYPE = "graph_input"
GRAPH_OUTPUT_TYPE = "graph_output"
GRAPH_TYPE = "graph"
# The ports a `graph` node gets from the signature of the graph it uses (docs/catalogue.md).
GRAPH_IN_PREFIX = "in:"
GRAPH_OUT_PREFIX = "out:"


def _graph_input(ctx: NodeContext, port: str) -> ast.expr:
    return ctx.graph_input()


def _graph_output(ctx: NodeContext) -> list[ast.stmt]:
    return ctx.graph_output(ctx.input("value"))


def _graph(ctx: NodeContext) -> list[ast.stmt]:
    return ctx.call_graph()


GRAPH_INPUT = NodeType(
    GRAPH_INPUT_TYPE,
    "functions",
    "Graph input",
    "A value given to this graph when it runs (REST, webhook, or as a node in another graph). "
    "The value typed on `default` is its default; without one the input is required.",
    ports=(data_in("default", required=False, default=None), data_out("value")),
    params=(
        Param("name", "Name", "text", "value"),
        Param("type", "Type", "select", "any", choices(*DATA_TYPES)),
        Param("description", "Description", "multiline", ""),
    ),
    expression=_graph_input,
)
GRAPH_OUTPUT = NodeType(
    GRAPH_OUTPUT_TYPE,
    "functions",
    "Graph output",
    "Records a value this graph gives back under a name; when it runs twice, the last value wins.",
    ports=(exec_in(), data_in("value", required=False, default=None), exec_out()),
    params=(
        Param("name", "Name", "text", "result"),
        Param("type", "Type", "select", "any", choices(*DATA_TYPES)),
    ),
    statements=_graph_output,
)
GRAPH = NodeType(
    GRAPH_TYPE,
    "functions",
    "Graph",
    "Runs another graph (a pinned version of it) as a function: its Graph inputs are this "
    "node's inputs, its Graph outputs this node's outputs.",
    ports=(exec_in(), exec_out()),
    params=(
        Param("graph_id", "Graph", "int", 0, min=0),
        Param("version", "Version", "int", 0, min=0),
    ),
    statements=_graph,
    output_hints={},
)

NODES = (GRAPH_INPUT, GRAPH_OUTPUT, GRAPH)
