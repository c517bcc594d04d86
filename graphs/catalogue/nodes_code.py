"""The Python code node: the user's own snippet, parsed and embedded as AST in a helper function.

The snippet runs inside `def python_code(<inputs>): ...; return <outputs>` so its scratch names
never clobber the script's variables, and outputs it forgot to set come back as None.
"""

from __future__ import annotations

import ast
import keyword

from graphs.catalogue.build import assign, block, call, const, expr_stmt, name
from graphs.catalogue.model import (
    DynamicPorts,
    NodeContext,
    NodeType,
    Param,
    exec_in,
    exec_out,
)

_DEFAULT_CODE = "result = a * 2\n"
MAX_CODE_CHARS = 100_000


def _valid_names(ctx: NodeContext, param_id: str) -> list[str] | None:
    names = ctx.names(param_id)
    bad = [n for n in names if not n.isidentifier() or keyword.iskeyword(n)]
    if bad:
        ctx.warn(
            "invalid_name",
            f"{bad[0][:40]!r} is not a valid Python name ({param_id}).",
            port=param_id,
            severity="error",
        )
        return None
    return names


def _has_yield(tree: ast.Module) -> bool:
    """`yield` in the snippet itself (not in a function it defines) would make a generator."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return False


def parse_snippet(ctx: NodeContext, code: str) -> ast.Module | None:
    if len(code) > MAX_CODE_CHARS:
        ctx.warn(
            "code_too_long",
            f"The code is longer than {MAX_CODE_CHARS} characters.",
            port="code",
            severity="error",
        )
        return None
    try:
        tree = ast.parse(code, "<python code node>")
    except SyntaxError as error:
        line = f"line {error.lineno}: " if error.lineno else ""
        ctx.warn(
            "python_syntax_error",
            f"Syntax error in the Python code, {line}{error.msg}.",
            port="code",
            severity="error",
        )
        return None
    except (ValueError, RecursionError, MemoryError) as error:
        ctx.warn(
            "python_syntax_error",
            f"The Python code cannot be parsed: {error}.",
            port="code",
            severity="error",
        )
        return None
    if _has_yield(tree):
        ctx.warn(
            "python_syntax_error",
            "yield/await cannot be used at the top of a Python code "
            "node (put them in a function you define there).",
            port="code",
            severity="error",
        )
        return None
    return tree


def _python_code(ctx: NodeContext) -> list[ast.stmt]:
    inputs, outputs = _valid_names(ctx, "inputs"), _valid_names(ctx, "outputs")
    tree = parse_snippet(ctx, ctx.param("code"))
    if tree is None or inputs is None or outputs is None:
        return []
    helper = ctx.fresh_name("python_code")
    unset = [assign(output, const(None)) for output in outputs if output not in inputs]
    if len(outputs) == 1:
        result: ast.expr | None = name(outputs[0])
    elif outputs:
        result = ast.Tuple([name(output) for output in outputs], ast.Load())
    else:
        result = None
    body = [*unset, *tree.body, ast.Return(result)] if result is not None else [*unset, *tree.body]
    args = ast.arguments([], [ast.arg(i) for i in inputs], None, [], [], None, [])
    definition = ast.FunctionDef(helper, args, block(body), [], None, None)
    if not ctx.add_top_level(definition):
        return []
    value = call(helper, *[ctx.input("in:" + i) for i in inputs])
    used = [o for o in outputs if ctx.output_used("out:" + o)]
    if not used:
        return [expr_stmt(value)]
    if len(outputs) == 1:
        return [ast.Assign([ctx.output_target("out:" + outputs[0])], value)]
    targets: list[ast.expr] = [
        ctx.output_target("out:" + o) if o in used else ast.Name("_", ast.Store()) for o in outputs
    ]
    return [ast.Assign([ast.Tuple(targets, ast.Store())], value)]


PYTHON_CODE = NodeType(
    "python_code",
    "advanced",
    "Python code",
    "Your own Python: the inputs are variables in the code, the outputs are the variables it sets.",
    ports=(exec_in(), exec_out()),
    params=(
        Param("code", "Code", "code", _DEFAULT_CODE),
        Param("inputs", "Inputs (comma-separated)", "text", "a"),
        Param("outputs", "Outputs (comma-separated)", "text", "result"),
    ),
    dynamic_ports=(
        DynamicPorts("inputs", "names", "input", "in:"),
        DynamicPorts("outputs", "names", "output", "out:"),
    ),
    statements=_python_code,
)

NODES = (PYTHON_CODE,)
