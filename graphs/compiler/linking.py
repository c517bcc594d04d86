"""Graphs used as nodes: each (graph, version) becomes one function of the script.

The compiler stays pure: it reads other graphs only through the resolver it is given
(`graphs(graph_id, version) -> document or None`; the server's, graphs/dependencies.py, applies
the reading rule of graphs/sharing.py). A `graph` node is linked while its graph is read, because
its ports come from the signature of the graph it uses; that graph is compiled then, once, before
the graph that uses it, so the script defines every function before the one calling it.

A function's body is the used graph compiled as a unit of its own (`Unit(function=True)`): its
Graph inputs are parameters, its Graph outputs go to a dict it returns, and what would be its
module scope is the function's own locals (its defs say `nonlocal`, not `global`), so nothing it
does can touch the script's names. See docs/catalogue.md, "Graphs as functions".
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphs.catalogue.build import assign, const, name
from graphs.catalogue.model import NodeType, Port, data_in, data_out
from graphs.catalogue.nodes_graphs import GRAPH_IN_PREFIX, GRAPH_OUT_PREFIX
from graphs.compiler.codegen import NODE_KEY, Generator, Unit
from graphs.compiler.cycles import break_data_cycles
from graphs.compiler.graph import GraphReader, Node
from graphs.compiler.library import LibraryLinker, LibraryResolver
from graphs.compiler.names import NameAllocator
from graphs.compiler.placement import Placer
from graphs.compiler.result import Diagnostic
from graphs.compiler.signature import Signature, derive_signature

GraphResolver = Callable[[int, int], dict[str, Any] | None]

MAX_GRAPH_DEPTH = 16  # graphs inside graphs inside graphs...
MAX_LINKED_GRAPHS = 200  # distinct (graph, version) pairs one script may use
# Errors of a used graph that keep their own code on the node using it (others: graph_error).
_PASSED_ON = ("graph_cycle", "graph_unreadable", "graph_too_deep", "graph_too_large")


def snapshot_key(graph_id: int, version: int) -> str:
    """The key of a graph's copy in a document's `snapshots` map (docs/interfaces.md)."""
    return f"{graph_id}@{version}"


def snapshots_resolver(document: Any) -> GraphResolver:
    """A resolver reading only the document's own `snapshots` (`{"<id>@<version>": document}`):
    what a self-contained document (an export, a test) uses."""
    snapshots = document.get("snapshots") if isinstance(document, dict) else None
    table = snapshots if isinstance(snapshots, dict) else {}

    def resolve(graph_id: int, version: int) -> dict[str, Any] | None:
        found = table.get(snapshot_key(graph_id, version))
        return found if isinstance(found, dict) else None

    return resolve


@dataclass
class GraphFunction:
    """The function built from one (graph, version), or why there is none (`error`)."""

    graph_id: int
    version: int
    name: str  # the graph's name, for messages
    identifier: str = ""
    signature: Signature = field(default_factory=Signature)
    parameters: dict[str, str] = field(default_factory=dict)  # input name -> parameter
    ports: dict[str, Port] = field(default_factory=dict)  # the `graph` node's data ports
    error: tuple[str, str] | None = None  # (code, message)


def _ports(signature: Signature) -> dict[str, Port]:
    ports: dict[str, Port] = {}
    for item in signature.inputs:
        port_id = GRAPH_IN_PREFIX + item.name
        ports[port_id] = data_in(
            port_id, item.type, required=item.required, default=item.default, label=item.name
        )
    for output in signature.outputs:
        port_id = GRAPH_OUT_PREFIX + output.name
        ports[port_id] = data_out(port_id, output.type, label=output.name)
    return ports


def _untag(definition: ast.AST) -> None:
    """Its statements' node ids belong to the other graph: the source map shows the whole
    function at the node using it (tagged by the caller), and a debug run never stops inside."""
    for node in ast.walk(definition):
        if hasattr(node, NODE_KEY):
            delattr(node, NODE_KEY)


class GraphLinker:
    def __init__(
        self,
        resolver: GraphResolver | None,
        root_id: int | None,
        root_name: str,
        library: LibraryResolver | None = None,
    ) -> None:
        self.resolver = resolver
        self.path: list[tuple[int | None, str]] = [(root_id, root_name)]  # graphs being read
        self.functions: dict[tuple[int, int], GraphFunction] = {}
        self.definitions: list[ast.stmt] = []  # every callee before its callers
        self.names = NameAllocator()
        self.identifiers: list[str] = []  # the functions' names: reserved in every scope
        self.imports: set[tuple[str, str]] = set()
        self.sandbox_builtins: set[str] = set()
        self._top_node = ""  # the node of the compiled graph that the current link started at
        # Library nodes (library.py): their functions share this namespace and definitions.
        self.library = LibraryLinker(library, self.names, self.identifiers, self.definitions)

    def library_type(
        self, node_id: str, type_name: str, raw_params: Any, diagnostics: list[Diagnostic]
    ) -> NodeType | None:
        """The node type of a `lib:<id>` node, or None after reporting why there is none. Its
        function is tagged with the node of the compiled graph that (maybe through graphs used
        inside it) uses it first."""
        tag = node_id if len(self.path) == 1 else self._top_node
        return self.library.node_type(node_id, tag, type_name, raw_params, diagnostics)

    def link(self, node: Node, diagnostics: list[Diagnostic]) -> GraphFunction | None:
        if len(self.path) == 1:
            self._top_node = node.id
        # Params are coerced by the reader: ints (0, the default, when missing or invalid).
        graph_id, version = (
            int(node.params.get("graph_id") or 0),
            int(node.params.get("version") or 0),
        )
        if graph_id <= 0:
            error: tuple[str, str] | None = (
                "graph_not_set",
                "Choose the graph this node runs (data.params.graph_id and version).",
            )
        elif version <= 0:
            error = ("graph_not_set", "Choose the version of the graph this node runs.")
        else:
            error = self._cycle(graph_id)
        if error is None:
            key = (graph_id, version)
            function = self.functions.get(key)
            if function is None:
                function = self._build(graph_id, version)
                self.functions[key] = function
            if function.error is None:
                return function
            error = function.error
        diagnostics.append(Diagnostic("error", error[0], error[1], node.id))
        return None

    def _cycle(self, graph_id: int) -> tuple[str, str] | None:
        ids = [g for g, _ in self.path]
        if graph_id not in ids:
            return None
        start = ids.index(graph_id)
        names = [n for _, n in self.path[start:]] + [self.path[start][1]]
        shown = " \u2192 ".join(repr(n) for n in names)
        return (
            "graph_cycle",
            f"Graph {self.path[start][1]!r} (id {graph_id}) is used inside itself: {shown}.",
        )

    def _build(self, graph_id: int, version: int) -> GraphFunction:
        label = f"graph {graph_id}"
        if len(self.path) > MAX_GRAPH_DEPTH:
            return GraphFunction(
                graph_id,
                version,
                label,
                error=(
                    "graph_too_deep",
                    f"Graphs are used inside graphs more than {MAX_GRAPH_DEPTH} levels deep.",
                ),
            )
        if len(self.functions) >= MAX_LINKED_GRAPHS:
            return GraphFunction(
                graph_id,
                version,
                label,
                error=(
                    "graph_too_large",
                    f"The program uses more than {MAX_LINKED_GRAPHS} graph versions.",
                ),
            )
        document = self.resolver(graph_id, version) if self.resolver is not None else None
        if not isinstance(document, dict):
            return GraphFunction(
                graph_id,
                version,
                label,
                error=(
                    "graph_unreadable",
                    f"Graph {graph_id} (version {version}) cannot be read: it was deleted, "
                    "that version is gone, or it is no longer shared with you.",
                ),
            )
        raw_name = document.get("name")
        graph_name = raw_name[:200] if isinstance(raw_name, str) and raw_name else label
        self.path.append((graph_id, graph_name))
        try:
            return self._compile(document, graph_id, version, graph_name)
        finally:
            self.path.pop()

    def _compile(
        self, document: dict[str, Any], graph_id: int, version: int, graph_name: str
    ) -> GraphFunction:
        function = GraphFunction(graph_id, version, graph_name)
        diagnostics: list[Diagnostic] = []
        graph = GraphReader(diagnostics, self).read(document)  # links what it uses, first
        break_data_cycles(graph, diagnostics)
        placement = Placer(graph, diagnostics).run()
        function.signature = signature = derive_signature(graph, diagnostics)
        function.ports = _ports(signature)
        function.identifier = identifier = self.names.allocate(graph_name.lower(), "graph")
        self.identifiers.append(identifier)
        generator = Generator(
            graph,
            placement,
            diagnostics,
            unit=Unit(signature, function=True),
            reserved=self.identifiers,
        )
        defs: list[ast.stmt] = [
            generator.gen_function(node, root) for node, root in placement.functions
        ]
        defs += generator.gen_helpers("")
        main = generator.gen_block(placement.module)
        first_error = next((d for d in diagnostics if d.severity == "error"), None)
        if first_error is not None:
            code = first_error.code if first_error.code in _PASSED_ON else "graph_error"
            where = f"Graph {graph_name!r} (id {graph_id}, version {version})"
            function.error = (code, f"{where} has an error: {first_error.message}")
            return function
        preinit = generator.preinit_statements("")
        preset = generator.preinit.get("", {})
        closure = [assign(n, const(None)) for n in generator.closure if n not in preset]
        outputs = generator.outputs_name
        body: list[ast.stmt] = [
            *generator.top_level,
            *defs,
            *closure,
            *preinit,
            assign(outputs, ast.Dict([], [])),
            *main,
            ast.Return(name(outputs)),
        ]
        required = [i for i in signature.inputs if i.required]
        optional = [i for i in signature.inputs if not i.required]
        parameters = {i.node_id: generator.input_names[i.node_id] for i in signature.inputs}
        function.parameters = {i.name: parameters[i.node_id] for i in signature.inputs}
        args = ast.arguments(
            [],
            [ast.arg(parameters[i.node_id]) for i in [*required, *optional]],
            None,
            [],
            [],
            None,
            [const(i.default) for i in optional],
        )
        definition = ast.FunctionDef(identifier, args, body, [], None, None)
        _untag(definition)
        setattr(definition, NODE_KEY, self._top_node)
        self.definitions.append(definition)
        self.imports |= generator.imports
        self.sandbox_builtins |= generator.sandbox_builtins
        return function
