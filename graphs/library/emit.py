"""The shape a library node's code takes in a script: its whole module inside one factory.

    def moving_average():            # the compiler's safe, unique name
        __name__ = 'moving_average'  # so an `if __name__ == "__main__":` block stays quiet
        import statistics            # the code, as written: imports, constants, helpers...
        def moving_average(xs, n=3): ...
        return moving_average
    moving_average = moving_average()

Its imports, constants and helpers are the factory's locals, so they never clash with the
script's names or another library node's; the function keeps its own name inside (recursion
works). A `global` in the code's functions means the code's own top level, so it becomes
`nonlocal` (a name only ever set through it is bound to None first, as Python needs).
"""

from __future__ import annotations

import ast

from graphs.catalogue.build import assign, call, const, name

PLACEHOLDER = "library_node"


def _bound_at_top(body: list[ast.stmt]) -> set[str]:
    """Names the module level binds (not inside its defs, lambdas, classes or comprehensions)."""
    bound: set[str] = set()
    pending: list[ast.AST] = list(body)
    while pending:
        current = pending.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(current.name)
            continue
        if isinstance(current, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp):
            continue
        if isinstance(current, ast.GeneratorExp):
            continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            bound.add(current.id)
        elif isinstance(current, ast.alias):
            bound.add((current.asname or current.name).split(".")[0])
        elif isinstance(current, ast.ExceptHandler) and current.name:
            bound.add(current.name)
        pending.extend(ast.iter_child_nodes(current))
    return bound


def _globals_to_nonlocals(body: list[ast.stmt]) -> list[str]:
    """Turns every `global` inside the code's defs and classes into `nonlocal`, and drops one at
    its top level (a no-op there); the names declared, in order."""
    declared: dict[str, None] = {}
    module = ast.Module(body, [])
    for node in ast.walk(module):
        for child_field in ("body", "orelse", "finalbody"):
            statements = getattr(node, child_field, None)
            if not isinstance(statements, list):
                continue
            for index, statement in enumerate(statements):
                if not isinstance(statement, ast.Global):
                    continue
                replacement: ast.stmt = (
                    ast.Pass() if node is module else ast.Nonlocal(statement.names)
                )
                statements[index] = ast.copy_location(replacement, statement)
                if node is not module:
                    declared.update(dict.fromkeys(statement.names))
    return list(declared)


def wrap(tree: ast.Module, function_name: str) -> ast.FunctionDef:
    """The factory of the code in `tree` (changed in place) returning `function_name`."""
    declared = _globals_to_nonlocals(tree.body)
    body = list(tree.body)
    bound = _bound_at_top(body)
    unbound = [assign(n, const(None)) for n in declared if n not in bound]
    header = [assign("__name__", const(function_name)), *unbound]
    args = ast.arguments([], [], None, [], [], None, [])
    return ast.FunctionDef(
        PLACEHOLDER, args, [*header, *body, ast.Return(name(function_name))], [], None, None
    )


def emitted(factory: ast.FunctionDef, identifier: str) -> list[ast.stmt]:
    """The factory named `identifier`, and `identifier = identifier()`: the function itself."""
    factory.name = identifier
    return [factory, assign(identifier, call(identifier))]
