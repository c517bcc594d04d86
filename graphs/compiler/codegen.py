"""Generating Python AST from the placed graph.

Statements come from each placed node's generator; pure nodes become expressions, built bottom-up
per reading statement (no recursion, so long chains are fine). A pure sub-expression that is deep,
shared and large, or volatile (random) is hoisted into a temporary just before the statement.

Every value read is checked against where it is set: a value that may not be set yet (read before
its statement, after a loop, outside an `except`...) is initialised to None at the top of its scope.
"""

from __future__ import annotations

import ast
import logging
import warnings
from collections.abc import Iterable
from copy import copy as shallow_copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphs.catalogue.build import assign, call, const, expr_stmt, method, name
from graphs.compiler.dataflow import variable_key
from graphs.compiler.graph import Graph, Node
from graphs.compiler.names import NameAllocator
from graphs.compiler.placement import Block, Helper, Jump, Placed, Placement, holds_before
from graphs.compiler.result import Diagnostic, Severity
from graphs.compiler.signature import Signature

if TYPE_CHECKING:
    from graphs.compiler.linking import GraphFunction

logger = logging.getLogger(__name__)

# Deeper expressions are split (readability, and the recursion limits of unparse and compile).
HOIST_DEPTH = 20
HOIST_SHARED_SIZE = 8  # an expression read twice by one statement and bigger than this is shared
NODE_KEY = "_ne_node"  # attribute on generated statements naming their node, for the source map
# Debug compiles only (graphs/compiler/debug.py turns these marks into instrumentation):
PROBE_KEY = "_ne_probe"  # on a placeholder statement: node k's count-and-pause probe goes here
TAPS_KEY = "_ne_taps"  # on an input's expression: the data edges (ids) whose value it is
TAPPED_KEY = "_ne_tapped"  # on a tap debug.py made: the expression it taps
# Pure nodes whose value is a stored object, not one built for the reader (a change to it stays).
_STORED_VALUES = ("get_variable", "get_item")


# The sandbox's own builtins (docs/rich_output.md) and what stands in for each elsewhere.
SANDBOX_BUILTINS = {"show": "print"}
# The runner's inputs and outputs (docs/interfaces.md, "Graph inputs and outputs in the script").
INPUTS_GLOBAL = "_ne_inputs"
OUTPUT_BUILTIN = "_ne_output"


@dataclass
class Unit:
    """What one Generator compiles: the script itself, or (`function`) the body of a function
    built from a graph used as a node, whose inputs are parameters and whose outputs go to a
    dict it returns (graphs/compiler/linking.py)."""

    signature: Signature = field(default_factory=Signature)
    function: bool = False


def sandbox_builtin_statements(builtins: set[str]) -> list[ast.stmt]:
    """`try: show / except NameError: show = print`: the builtin where there is one."""
    return [
        ast.Try(
            [expr_stmt(name(builtin))],
            [
                ast.ExceptHandler(
                    name("NameError"), None, [assign(builtin, name(SANDBOX_BUILTINS[builtin]))]
                )
            ],
            [],
            [],
        )
        for builtin in sorted(builtins)
    ]


def tag(statement: ast.stmt, node_id: str) -> ast.stmt:
    setattr(statement, NODE_KEY, node_id)
    return statement


@dataclass
class FunctionInfo:
    node_id: str
    identifier: str
    parameters: list[str]  # raw names, as drawn


class Evaluation:
    """The pure expressions one statement reads, and the temporaries they needed."""

    def __init__(self) -> None:
        self.memo: dict[str, ast.expr] = {}
        self.prelude: list[ast.stmt] = []
        self.ready = False


class Context:
    """The `NodeContext` a node generator works with (see graphs/catalogue/model.py)."""

    def __init__(
        self, generator: Generator, node: Node, reader: Placed, evaluation: Evaluation
    ) -> None:
        self.gen = generator
        self.node = node
        self.node_id = node.id
        self.reader = reader
        self.evaluation = evaluation

    # -- params and ports
    def param(self, param_id: str) -> Any:
        return self.node.params.get(param_id)

    def names(self, param_id: str) -> list[str]:
        return self.node.names(param_id)

    def connected(self, port_id: str) -> bool:
        """Whether the input has a value of the user's: a wire or a value typed on the pin."""
        return (self.node.id, port_id) in self.gen.graph.data_in or port_id in self.node.inputs

    def input(self, port_id: str) -> ast.expr:
        return self.gen.input_expr(self, port_id)

    def input_with_prelude(self, port_id: str) -> tuple[list[ast.stmt], ast.expr]:
        value = self.input(port_id)
        prelude = self.evaluation.prelude
        self.evaluation.prelude = []
        return prelude, value

    def output_used(self, port_id: str) -> bool:
        return (self.node.id, port_id) in self.gen.used_outputs

    def output_target(self, port_id: str) -> ast.Name:
        return ast.Name(self.gen.temp_name(self.node, port_id), ast.Store())

    def body(self, port_id: str) -> list[ast.stmt]:
        block = self.reader.bodies.get(port_id)
        return self.gen.gen_block(block) if block is not None else []

    # -- names and definitions
    def fresh_name(self, hint: str) -> str:
        return self.gen.names.allocate(hint)

    def use_import(self, module: str, alias: str | None = None) -> None:
        """`import module` (or `import module as alias`) at the top of the script, once. A name
        it binds must be reserved in graphs/compiler/names.py, so nothing drawn takes it."""
        self.gen.imports.add((module, alias or ""))

    def use_sandbox_builtin(self, builtin: str) -> None:
        """A builtin only the sandbox has (`show`): named once at the top, with its stand-in
        where there is no such builtin, so the script still runs elsewhere."""
        self.gen.sandbox_builtins.add(builtin)

    def variable(self, raw_name: Any, store: bool = False) -> str:
        return self.gen.variable(self, raw_name, store)

    def function(self, raw_name: Any) -> tuple[str, list[str]] | None:
        info = self.gen.functions.get(str(raw_name).strip())
        if info is None:
            self.warn(
                "unknown_function",
                f"There is no function named {str(raw_name)[:60]!r}.",
                port="function",
                severity="error",
            )
            return None
        return info.identifier, info.parameters

    def add_top_level(self, definition: ast.stmt) -> bool:
        """Adds a helper definition, after checking it compiles on its own."""
        try:
            module = ast.fix_missing_locations(ast.Module([definition], []))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(ast.parse(ast.unparse(module)), "<python code node>", "exec")
        except SyntaxError as error:
            self.warn(
                "python_syntax_error",
                f"The Python code cannot run here: {error.msg}.",
                port="code",
                severity="error",
            )
            return False
        except Exception as error:  # unparse/compile limits on very odd code
            self.warn(
                "python_syntax_error",
                f"The Python code cannot be compiled: {error}.",
                port="code",
                severity="error",
            )
            return False
        self.gen.top_level.append(tag(definition, self.node.id))
        return True

    def warn(
        self, code: str, message: str, port: str | None = None, severity: Severity = "warning"
    ) -> None:
        self.gen.report(severity, code, message, self.node.id, port)

    # -- graphs as functions (graphs/catalogue/nodes_graphs.py)
    def graph_input(self) -> ast.expr:
        identifier = self.gen.input_names.get(self.node.id)
        return const(None) if identifier is None else name(identifier)

    def graph_output(self, value: ast.expr) -> list[ast.stmt]:
        item = self.gen.unit.signature.output_for(self.node.id)
        if item is None:  # an invalid or repeated name, reported by the signature
            return []
        if self.gen.unit.function:
            target = ast.Subscript(name(self.gen.outputs_name), const(item.name), ast.Store())
            return [ast.Assign([target], value)]
        self.gen.records_outputs = True
        return [expr_stmt(call(OUTPUT_BUILTIN, const(item.name), value))]

    def call_graph(self) -> list[ast.stmt]:
        link: GraphFunction | None = self.gen.graph.links.get(self.node.id)
        if link is None or link.error is not None:  # reported when the graph was linked
            return []
        arguments: dict[str, ast.expr] = {}
        for item in link.signature.inputs:
            port = "in:" + item.name
            if self.connected(port) or item.required:  # a required one left open is reported
                arguments[link.parameters[item.name]] = self.input(port)
        keywords = [ast.keyword(parameter, arg) for parameter, arg in arguments.items()]
        value: ast.expr = ast.Call(name(link.identifier), [], keywords)
        used = [o.name for o in link.signature.outputs if self.output_used("out:" + o.name)]
        if not used:
            return [expr_stmt(value)]
        if len(used) == 1:
            target = self.output_target("out:" + used[0])
            return [ast.Assign([target], method(value, "get", const(used[0])))]
        results = self.fresh_name("results")
        statements: list[ast.stmt] = [assign(results, value)]
        for output in used:
            target = self.output_target("out:" + output)
            statements.append(ast.Assign([target], method(name(results), "get", const(output))))
        return statements


class Generator:
    def __init__(
        self,
        graph: Graph,
        placement: Placement,
        diagnostics: list[Diagnostic],
        debug: bool = False,
        unit: Unit | None = None,
        reserved: Iterable[str] = (),
    ) -> None:
        self.graph = graph
        self.debug = debug
        self.unit = unit or Unit()
        if debug:  # an instance attribute: plain compiles call the method itself, at no cost
            # mypy forbids assigning to a method; here the instance attribute shadows it on purpose.
            self.input_expr = self._tapped_input_expr  # type: ignore[method-assign]
        self.placement = placement
        self.diagnostics = diagnostics
        self.names = NameAllocator(reserved)
        # Graph inputs first: as the script's inputs or the function's parameters, they get the
        # cleanest names.
        self.input_names = {
            item.node_id: self.names.allocate(item.name) for item in self.unit.signature.inputs
        }
        self.outputs_name = self.names.allocate("outputs") if self.unit.function else ""
        self.records_outputs = False  # a Graph output calls the runner's _ne_output
        # In a function built from a graph: what nested defs declare nonlocal (the function binds
        # each first, as the module would).
        self.closure: dict[str, None] = {}
        self.imports: set[tuple[str, str]] = set()  # (module, alias or "")
        self.sandbox_builtins: set[str] = set()
        self.top_level: list[ast.stmt] = []
        self.temps: dict[tuple[str, str], str] = {}
        self.preinit: dict[str, dict[str, None]] = {}
        self.variables: dict[str, str] = {}
        # variable -> block -> seq of the first set in that block (dominance in O(nesting depth))
        self.variable_sets: dict[str, dict[Block, int]] = {}
        self.globals: dict[str, dict[str, None]] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.function_nodes: dict[str, FunctionInfo] = {}
        self.pure_inputs: dict[str, list[tuple[str, str]]] = {}
        self.used_outputs = {
            (source, port) for source, outs in graph.data_out.items() for port, _, _ in outs
        }
        self._name_drawn_things()

    def report(
        self,
        severity: Severity,
        code: str,
        message: str,
        node_id: str | None,
        port: str | None = None,
    ) -> None:
        self.diagnostics.append(Diagnostic(severity, code, message, node_id, port))

    # -- names of things the user drew come first, so they get the clean identifiers
    def _name_drawn_things(self) -> None:
        for node in self.graph.nodes.values():
            if node.type in ("set_variable", "get_variable"):
                key = variable_key(node.params.get("name"))
                if key not in self.variables:
                    self.variables[key] = self.names.allocate(key, "variable")
        for node, _ in self.placement.functions:
            raw = str(node.params.get("name")).strip()
            identifier = self.names.allocate(raw, "function")
            parameters = node.names("parameters")
            self.function_nodes[node.id] = FunctionInfo(node.id, identifier, parameters)
            if raw in self.functions:
                self.report(
                    "error",
                    "duplicate_function",
                    f"Another function is already named {raw[:60]!r}; calls go to the first one.",
                    node.id,
                    "name",
                )
            else:
                self.functions[raw] = FunctionInfo(node.id, identifier, parameters)
            for parameter in parameters:
                self.temps[(node.id, "arg:" + parameter)] = self.names.allocate(parameter, "arg")
        self.helper_names: dict[str, str] = {}
        for helper in self.placement.helpers:
            definition = self.graph.nodes[helper.target].definition
            title = definition.title if definition is not None else "chain"
            hint = "shared " + title.lower()
            self.helper_names[helper.target] = self.names.allocate(hint, "shared")
        for placed in (p for copies in self.placement.copies.values() for p in copies):
            if placed.valid and placed.node.type == "set_variable":
                key = variable_key(placed.node.params.get("name"))
                first = self.variable_sets.setdefault(key, {})
                first[placed.block] = min(first.get(placed.block, placed.seq), placed.seq)

    def temp_name(self, node: Node, port: str) -> str:
        key = (node.id, port)
        if key not in self.temps:
            assert node.definition is not None
            hint = node.definition.output_hints.get(port) or port.split(":", 1)[-1] or "value"
            self.temps[key] = self.names.allocate(hint)
        return self.temps[key]

    def _needs_preinit(self, scope: str, identifier: str) -> None:
        self.preinit.setdefault(scope, {})[identifier] = None

    # -- reading values
    def input_expr(self, ctx: Context, port_id: str) -> ast.expr:
        node = ctx.node
        source = self.graph.data_in.get((node.id, port_id))
        if source is None:
            return self._unwired(ctx, port_id)
        source_node = self.graph.nodes[source[0]]
        definition = source_node.definition
        if definition is None:
            return const(None)
        if definition.pure:
            assert node.definition is not None  # a node being compiled has a known type
            if port_id in node.definition.mutates and source_node.type not in _STORED_VALUES:
                ctx.warn(
                    "mutates_copy",
                    f"This changes a new {definition.title} "
                    "value built just for this node, so the change is lost; store the "
                    "value with Set variable and change the variable's value instead.",
                    port=port_id,
                )
            evaluation = ctx.evaluation
            if not evaluation.ready:
                self._evaluate(ctx.reader, evaluation)
            value = evaluation.memo.get(source_node.id)
            return const(None) if value is None else value
        return self.read_output(ctx, source_node, source[1])

    def _tapped_input_expr(self, ctx: Context, port_id: str) -> ast.expr:
        """`input_expr`, marked with the data edge it reads (a debug compile taps it there).

        The mark goes on a shallow copy: a pure node's expression is one object shared by all
        its readers, and each wire into a reader is a tap of its own. Node generators see the
        same expression types as in a plain compile, so they build the same code around them.
        """
        value = Generator.input_expr(self, ctx, port_id)
        key = (ctx.node.id, port_id)
        edge_id = self.graph.data_edge_ids.get(key)
        if edge_id is None or key not in self.graph.data_in:
            return value
        marked = shallow_copy(value)
        setattr(marked, TAPS_KEY, (edge_id, *getattr(value, TAPS_KEY, ())))
        return marked

    def _unwired(self, ctx: Context, port_id: str) -> ast.expr:
        """The value typed on the pin, else the port's default; reading None is reported."""
        node = ctx.node
        if port_id in node.inputs:
            return const(node.inputs[port_id])
        port = node.ports.get(port_id)
        default = port.default if port is not None else None
        if default == []:
            return ast.List([], ast.Load())
        if default is None and port is not None:
            label = port.label or port.id
            if port.required:
                ctx.warn(
                    "missing_input",
                    f"Input {label!r} needs a value: wire one to it.",
                    port=port_id,
                    severity="error",
                )
            else:
                ctx.warn(
                    "unset_input",
                    f"Input {label!r} has no wire and no value; it reads None.",
                    port=port_id,
                )
        return const(default)

    def read_output(self, ctx: Context, source: Node, port: str) -> ast.expr:
        reader = ctx.reader
        assert source.definition is not None
        if source.definition.defines_function:
            if reader.block.scope != source.id:
                ctx.warn(
                    "out_of_scope",
                    "A function parameter is only available inside that "
                    "function's body; None is used.",
                    severity="error",
                )
                return const(None)
            return name(self.temps[(source.id, port)])
        placed = self.placement.placed.get(source.id)
        if placed is None or not placed.valid:
            ctx.warn(
                "value_never_computed", f"Node {source.id!r} never runs, so its value is None here."
            )
            return const(None)
        identifier = self.temp_name(source, port)
        body_port = source.definition.block_outputs.get(port)
        defining = placed.bodies.get(body_port, placed.block) if body_port else placed.block
        # A body with no statements of its own still assigns the value inside it (the except
        # clause, the loop header), so after the block the value may never have been set.
        body_not_placed = bool(body_port) and body_port not in placed.bodies
        # A node in a chain copied into several paths is set once any one copy has run.
        setters: dict[Block, int] = {}
        for copy in self.placement.copies.get(source.id, [placed]):
            block = copy.bodies.get(body_port, copy.block) if body_port else copy.block
            setters.setdefault(block, copy.seq)
        if defining.scope != reader.block.scope:
            if defining.scope == "":
                self._needs_preinit("", identifier)  # a function reading a module value
                return name(identifier)
            ctx.warn(
                "out_of_scope",
                f"The value of node {source.id!r} belongs to another function; None is used.",
                severity="error",
            )
            return const(None)

        def set_before(block: Block, seq: int) -> bool:
            return setters.get(block, seq) < seq

        if body_not_placed or not holds_before(reader.block, reader.seq, set_before):
            self._needs_preinit(defining.scope, identifier)
            ctx.warn(
                "value_maybe_unset",
                f"The value of node {source.id!r} may not be set yet "
                "when this node runs; it is None until then.",
            )
        return name(identifier)

    def variable(self, ctx: Context, raw: Any, store: bool) -> str:
        key = variable_key(raw)
        if key not in self.variables:
            self.variables[key] = self.names.allocate(key, "variable")
        identifier = self.variables[key]
        scope = ctx.reader.block.scope
        if store:
            if scope:
                self.globals.setdefault(scope, {})[identifier] = None
            return identifier
        sets = self.variable_sets.get(key, {})
        reader = ctx.reader
        # A set earlier in this block or one around it (at every call, inside a helper).
        if not holds_before(reader.block, reader.seq, lambda b, seq: sets.get(b, seq) < seq):
            self._needs_preinit("", identifier)
            if not sets:
                ctx.warn(
                    "variable_never_set",
                    f"Variable {key[:60]!r} is never set; it reads None.",
                    port="name",
                )
            elif not scope:
                ctx.warn(
                    "variable_maybe_unset",
                    f"Variable {key[:60]!r} may be read before it is set; it is None until then.",
                    port="name",
                    severity="info",
                )
        return identifier

    def _pure_sources(self, node: Node) -> list[tuple[str, str]]:
        """(input port, pure source node) pairs of a node, in port order (computed once)."""
        sources = self.pure_inputs.get(node.id)
        if sources is None:
            nodes, data_in = self.graph.nodes, self.graph.data_in
            sources = []
            for port in node.ports.values():
                source = data_in.get((node.id, port.id)) if port.direction == "input" else None
                if source is not None:
                    definition = nodes[source[0]].definition
                    if definition is not None and definition.pure:
                        sources.append((port.id, source[0]))
            self.pure_inputs[node.id] = sources
        return sources

    def _evaluate(self, reader: Placed, evaluation: Evaluation) -> None:
        """Builds, bottom-up, the expressions of every pure node this statement reads."""
        evaluation.ready = True
        nodes = self.graph.nodes
        pure_sources = self._pure_sources

        uses: dict[str, int] = {}
        order: list[str] = []
        stack: list[tuple[str, bool]] = []
        for _, source in pure_sources(reader.node):
            uses[source] = uses.get(source, 0) + 1
            stack.append((source, False))
        visited: set[str] = set()
        inputs_of: dict[str, list[str]] = {}
        # Nodes the statement evaluates whenever it runs: not only behind a lazy input (a branch
        # of a Conditional value, the right operand of And/Or). Only those may be hoisted.
        always = {source for _, source in pure_sources(reader.node)}
        while stack:
            node_id, expanded = stack.pop()
            if expanded:
                order.append(node_id)
                continue
            if node_id in visited:
                continue
            visited.add(node_id)
            stack.append((node_id, True))
            node = nodes[node_id]
            sources = pure_sources(node)
            inputs_of[node_id] = [source for _, source in sources]
            for _, source in sources:
                uses[source] = uses.get(source, 0) + 1
                if source not in visited:
                    stack.append((source, False))
        for node_id in reversed(order):  # reverse post-order: every reader before its sources
            if node_id in always:
                definition = nodes[node_id].definition
                lazy = definition.lazy_inputs if definition is not None else ()
                if lazy:
                    always.update(s for port, s in pure_sources(nodes[node_id]) if port not in lazy)
                else:
                    always.update(inputs_of[node_id])
        depth: dict[str, int] = {}
        size: dict[str, int] = {}
        memo = evaluation.memo
        for node_id in order:
            node = nodes[node_id]
            definition = node.definition
            assert definition is not None and definition.expression is not None
            port = definition.first_output
            try:
                value = definition.expression(Context(self, node, reader, evaluation), port)
            except Exception:
                logger.exception("Generator of node type %s failed", node.type)
                self.report(
                    "error", "internal", "The compiler could not generate this node.", node_id
                )
                value = const(None)
            node_depth, node_size = 1, 1
            for source in inputs_of[node_id]:
                node_depth = max(node_depth, depth[source] + 1)
                node_size += size[source]
            volatile = (
                definition.volatile_if is not None
                and node.params.get(definition.volatile_if[0]) == definition.volatile_if[1]
            )
            if node_id in always and (
                volatile
                or node_depth > HOIST_DEPTH
                or (uses[node_id] > 1 and node_size > HOIST_SHARED_SIZE)
            ):
                identifier = self.names.allocate(definition.output_hints.get(port) or port)
                evaluation.prelude.append(tag(assign(identifier, value), node_id))
                value = name(identifier)
                node_depth = node_size = 1
            depth[node_id], size[node_id] = node_depth, min(node_size, 10_000)
            memo[node_id] = value

    # -- statements
    def gen_statement(self, placed: Placed) -> list[ast.stmt]:
        if not placed.valid:
            return []
        node = placed.node
        definition = node.definition
        assert definition is not None and definition.statements is not None
        evaluation = Evaluation()
        ctx = Context(self, node, placed, evaluation)
        try:
            statements = definition.statements(ctx)
        except Exception:
            logger.exception("Generator of node type %s failed", node.type)
            self.report("error", "internal", "The compiler could not generate this node.", node.id)
            return []
        if self.debug and statements:
            # Before everything the node runs, its temporaries included (debug.py fills it in).
            probe = tag(ast.Pass(), node.id)
            setattr(probe, PROBE_KEY, node.id)
            return [probe, *evaluation.prelude, *(tag(s, node.id) for s in statements)]
        return [*evaluation.prelude, *(tag(s, node.id) for s in statements)]

    def gen_block(self, block: Block) -> list[ast.stmt]:
        statements: list[ast.stmt] = []
        for item in block.items:
            if isinstance(item, Jump):
                call_helper = expr_stmt(call(self.helper_names[item.target]))
                statements.append(tag(call_helper, item.target))
            else:
                statements.extend(self.gen_statement(item))
        return statements

    def gen_helpers(self, scope: str) -> list[ast.stmt]:
        """The shared chains called from `scope`, each a def that writes what it sets where the
        rest of the scope reads it (module globals, or the enclosing function's locals)."""
        definitions: list[ast.stmt] = []
        for helper in self.placement.helpers:
            if helper.root.scope == scope:
                definitions.append(tag(self._gen_helper(helper), helper.target))
        return definitions

    def _gen_helper(self, helper: Helper) -> ast.FunctionDef:
        body = self.gen_block(helper.root)
        scope = helper.root.scope
        stored = _stored_names(body)
        variables = set(self.variables.values())
        outer = [n for n in stored if not scope or n in variables]
        enclosing = [n for n in stored if scope and n not in variables]
        header: list[ast.stmt] = []
        if outer:
            header.append(self._outer_declaration(outer))
        if enclosing:
            header.append(ast.Nonlocal(enclosing))
            for identifier in enclosing:
                self._needs_preinit(scope, identifier)
        args = ast.arguments([], [], None, [], [], None, [])
        return ast.FunctionDef(
            self.helper_names[helper.target], args, [*header, *body] or [ast.Pass()], [], None, None
        )

    def _outer_declaration(self, names: list[str]) -> ast.stmt:
        """How a def reaches the script's top scope: `global`, or in a function built from a
        graph, `nonlocal` (that function's locals are its top scope)."""
        if not self.unit.function:
            return ast.Global(names)
        self.closure.update(dict.fromkeys(names))
        return ast.Nonlocal(names)

    def preinit_statements(self, scope: str) -> list[ast.stmt]:
        return [assign(identifier, const(None)) for identifier in self.preinit.get(scope, {})]

    def gen_function(self, node: Node, root: Block) -> ast.FunctionDef:
        info = self.function_nodes[node.id]
        body = [*self.gen_helpers(node.id), *self.gen_block(root)]
        identifier, parameters = info.identifier, info.parameters
        header: list[ast.stmt] = []
        declared = list(self.globals.get(node.id, {}))
        if declared:
            header.append(self._outer_declaration(declared))
        header += self.preinit_statements(node.id)
        args = ast.arguments(
            [],
            [ast.arg(self.temps[(node.id, "arg:" + p)]) for p in parameters],
            None,
            [],
            [],
            None,
            [],
        )
        statements = [*header, *body] or [ast.Pass()]
        return ast.FunctionDef(identifier, args, statements, [], None, None)


def _stored_names(statements: list[ast.stmt]) -> list[str]:
    """Names the statements assign, outside nested functions and comprehensions, in order."""
    names: dict[str, None] = {}
    pending: list[ast.AST] = list(reversed(statements))
    while pending:
        current = pending.pop()
        if isinstance(
            current,
            ast.FunctionDef
            | ast.AsyncFunctionDef
            | ast.ClassDef
            | ast.Lambda
            | ast.ListComp
            | ast.SetComp
            | ast.DictComp
            | ast.GeneratorExp,
        ):
            continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            names[current.id] = None
        elif isinstance(current, ast.ExceptHandler) and current.name:
            names[current.name] = None
        pending.extend(reversed(list(ast.iter_child_nodes(current))))
    return list(names)
