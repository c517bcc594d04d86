"""Debug instrumentation (docs/debugging.md, section 1; rules in docs/catalogue.md, "Debug
instrumentation").

A debug compile generates exactly the code of a plain compile, with marks: a placeholder statement
before each statement node's code (`PROBE_KEY`) and, on the expression of each input read through
a data wire, the id of that wire (`TAPS_KEY`). `instrument` then walks the finished statements
once, in code order, and turns the marks into instrumentation:

* a placeholder becomes node k's probe, `if _ne_stop[k]: _ne_pause(k)` then `_ne_hit[k] += 1`;
* a marked expression `x` read through data edge e becomes `(_ne_v<e> := x)`: the value is stored
  exactly where, when and as often as the plain script evaluates it (a lazy input stays lazy).
  Where an assignment expression is not allowed or would bind in the wrong scope (a lambda, a
  comprehension, a class body, an annotation) it becomes `_ne_tap(e, x)` instead, which returns x;
* every `def` whose own body stores a `_ne_v<e>` declares them `global` first.

Node indices k and edge indices e are handed out in code order, so the same graph always gives the
same script and tables. All `_ne_` names are reserved (graphs/compiler/names.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from graphs.compiler.codegen import NODE_KEY, PROBE_KEY, TAPPED_KEY, TAPS_KEY
from graphs.compiler.result import DebugInfo

HIT = "_ne_hit"
STOP = "_ne_stop"
PAUSE = "_ne_pause"
TAP = "_ne_tap"
VALUE_PREFIX = "_ne_v"

_FILL_KEY = "_ne_fill"  # on a probe or a tap we made: what to fill in once its index is known

# Where an expression is evaluated, for an assignment expression in it.
_MODULE, _FUNCTION, _ELSEWHERE = "module", "function", "elsewhere"
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Nodes whose fields change the scope of what is in them (see _inner_scope).
_SCOPES = (*_DEFS, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS, ast.arg, ast.AnnAssign)
# Nodes with nothing to instrument inside (a marked one is still tapped, from its parent).
_LEAVES = (
    ast.Name,
    ast.Constant,
    ast.expr_context,
    ast.operator,
    ast.boolop,
    ast.unaryop,
    ast.cmpop,
    ast.alias,
)


@dataclass(frozen=True)
class _Scope:
    kind: str  # _MODULE, _FUNCTION (a def's own body) or _ELSEWHERE (walrus not allowed)
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None


_MODULE_SCOPE = _Scope(_MODULE)
_NO_WALRUS = _Scope(_ELSEWHERE)


@dataclass
class Instrumenter:
    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    stoppable: dict[int, None] = field(default_factory=dict)
    # id(def) -> (def, tapped names stored in its own body, in order)
    declarations: dict[int, tuple[ast.FunctionDef | ast.AsyncFunctionDef, dict[str, None]]] = field(
        default_factory=dict
    )

    def node_index(self, node_id: str) -> int:
        return self.nodes.setdefault(node_id, len(self.nodes))

    def edge_index(self, edge_id: str) -> int:
        return self.edges.setdefault(edge_id, len(self.edges))

    # -- the walk
    def run(self, sections: list[list[ast.stmt]]) -> None:
        """Instruments the sections (lists of module-level statements) in place."""
        for section in sections:
            section[:] = _expand_probes(section)
        pending: list[tuple[ast.AST, _Scope]] = [
            (statement, _MODULE_SCOPE)
            for section in reversed(sections)
            for statement in reversed(section)
        ]
        seen: set[int] = set()
        while pending:
            current, scope = pending.pop()
            node_id = getattr(current, NODE_KEY, None)
            if node_id is not None:
                self.node_index(node_id)
            if id(current) in seen:  # an expression object shared by two readers: done once
                continue
            seen.add(id(current))
            fill = getattr(current, _FILL_KEY, None)
            if fill is not None:
                fill(self)
            children = self._children(current, scope)
            children.reverse()
            pending += children
        for function, names in self.declarations.values():
            function.body.insert(0, ast.Global(list(names)))

    def _children(self, parent: ast.AST, scope: _Scope) -> list[tuple[ast.AST, _Scope]]:
        """The parent's children that may hold something to do, in code order, with the scope
        each is evaluated in; marked expressions are replaced by their taps and probe
        placeholders by probes on the way."""
        children: list[tuple[ast.AST, _Scope]] = []
        changes_scope = isinstance(parent, _SCOPES)
        tapped = getattr(parent, TAPPED_KEY, None)  # a tap we made: its expression is done
        for name in parent._fields:
            value = getattr(parent, name, None)
            inner = _inner_scope(parent, name, scope) if changes_scope else scope
            if type(value) is list:
                if value and isinstance(value[0], ast.stmt):
                    value[:] = _expand_probes(value)
                for index, child in enumerate(value):
                    if isinstance(child, _LEAVES) and not hasattr(child, TAPS_KEY):
                        continue
                    if hasattr(child, TAPS_KEY) and child is not tapped:
                        child = value[index] = self._tap(child, inner)
                    if isinstance(child, ast.AST):
                        children.append((child, inner))
            elif isinstance(value, ast.AST):
                if isinstance(value, _LEAVES) and not hasattr(value, TAPS_KEY):
                    continue
                # Only expressions are marked for taps.
                if isinstance(value, ast.expr) and hasattr(value, TAPS_KEY) and value is not tapped:
                    value = self._tap(value, inner)
                    setattr(parent, name, value)
                children.append((value, inner))
        return children

    def _tap(self, expression: ast.expr, scope: _Scope) -> ast.expr:
        """`expression` wrapped in one tap per edge it is marked with (the outermost first);
        each tap's index is filled in when the walk reaches it, so indices follow code order."""
        wrapped = expression
        for edge_id in reversed(getattr(expression, TAPS_KEY)):
            wrapped = _tap_of(edge_id, wrapped, scope)
        return wrapped


def _tap_of(edge_id: str, expression: ast.expr, scope: _Scope) -> ast.expr:
    tap: ast.expr
    if scope.kind == _ELSEWHERE:
        index = ast.Constant(0)
        tap = ast.Call(ast.Name(TAP, ast.Load()), [index, expression], [])

        def fill(instrumenter: Instrumenter) -> None:
            index.value = instrumenter.edge_index(edge_id)

    else:
        target = ast.Name(VALUE_PREFIX, ast.Store())
        tap = ast.NamedExpr(target, expression)

        def fill(instrumenter: Instrumenter) -> None:
            target.id = f"{VALUE_PREFIX}{instrumenter.edge_index(edge_id)}"
            if scope.kind == _FUNCTION:
                function = scope.function
                assert function is not None
                _, names = instrumenter.declarations.setdefault(id(function), (function, {}))
                names[target.id] = None

    setattr(tap, _FILL_KEY, fill)
    setattr(tap, TAPPED_KEY, expression)
    return tap


def _inner_scope(parent: ast.AST, field_name: str, scope: _Scope) -> _Scope:
    """The scope a parent's field is evaluated in, as far as an assignment expression goes."""
    if isinstance(parent, _DEFS):
        if field_name == "body":
            return _Scope(_FUNCTION, parent)
        if field_name == "returns":
            return _NO_WALRUS  # an annotation
        return scope  # decorators, defaults: evaluated where the def is
    if isinstance(parent, ast.Lambda | ast.ClassDef):
        return _NO_WALRUS if field_name == "body" else scope
    if isinstance(parent, _COMPREHENSIONS):
        return _NO_WALRUS  # not in the first iterable (an error), elsewhere not in a class body
    if isinstance(parent, ast.arg | ast.AnnAssign) and field_name == "annotation":
        return _NO_WALRUS
    return scope


def _expand_probes(statements: list[ast.stmt]) -> list[ast.stmt]:
    if not any(getattr(s, PROBE_KEY, None) is not None for s in statements):
        return statements
    expanded: list[ast.stmt] = []
    for statement in statements:
        node_id = getattr(statement, PROBE_KEY, None)
        if node_id is None:
            expanded.append(statement)
        else:
            expanded.extend(_probe(node_id))
    return expanded


def _probe(node_id: str) -> list[ast.stmt]:
    """`if _ne_stop[k]: _ne_pause(k)` and `_ne_hit[k] += 1`, k filled in when reached."""
    indices = [ast.Constant(0) for _ in range(3)]
    stop = ast.If(
        ast.Subscript(ast.Name(STOP, ast.Load()), indices[0], ast.Load()),
        [ast.Expr(ast.Call(ast.Name(PAUSE, ast.Load()), [indices[1]], []))],
        [],
    )
    hit = ast.AugAssign(
        ast.Subscript(ast.Name(HIT, ast.Load()), indices[2], ast.Store()),
        ast.Add(),
        ast.Constant(1),
    )

    def fill(instrumenter: Instrumenter) -> None:
        k = instrumenter.node_index(node_id)
        instrumenter.stoppable[k] = None
        for index in indices:
            index.value = k

    setattr(stop, _FILL_KEY, fill)
    for statement in (stop, hit):
        setattr(statement, NODE_KEY, node_id)
    return [stop, hit]


def instrument(sections: list[list[ast.stmt]]) -> Instrumenter:
    instrumenter = Instrumenter()
    instrumenter.run(sections)
    return instrumenter


def debug_info(instrumenter: Instrumenter, source_map: dict[int, str]) -> DebugInfo:
    """The tables of an instrumented script, once its source map is known."""
    lines: dict[int, int] = {}
    for line, node_id in sorted(source_map.items()):
        lines[line] = instrumenter.node_index(node_id)
    return DebugInfo(
        nodes=list(instrumenter.nodes),
        edges=list(instrumenter.edges),
        lines=lines,
        stoppable=sorted(instrumenter.stoppable),
    )
