"""Rich output nodes: Show (a value as a table, an image or text) and Plot (a matplotlib chart).

Both call `show()`, the sandbox's builtin (docs/rich_output.md). The script names it once at the
top with a stand-in for running it elsewhere (`show = print` when there is no such builtin; see
`use_sandbox_builtin` in graphs/compiler/codegen.py), and calls it on the node's own line, so
the console knows which node showed what.
"""

from __future__ import annotations

import ast

from graphs.catalogue.build import assign, call, expr_stmt, method, module_call, name
from graphs.catalogue.model import (
    NodeContext,
    NodeType,
    Param,
    choices,
    data_in,
    exec_in,
    exec_out,
)

PYPLOT, PYPLOT_ALIAS = "matplotlib.pyplot", "plt"
# kind -> the Axes method drawing it
_PLOT_METHODS = {"line": "plot", "bar": "bar", "scatter": "scatter", "histogram": "hist"}
# (input port, Axes setter) in the order they are written
_TEXTS = (("title", "set_title"), ("xlabel", "set_xlabel"), ("ylabel", "set_ylabel"))


def _show(ctx: NodeContext) -> list[ast.stmt]:
    value = ctx.input("value")
    ctx.use_sandbox_builtin("show")
    return [expr_stmt(call("show", value))]


def _plot(ctx: NodeContext) -> list[ast.stmt]:
    kind = ctx.param("kind")
    statements: list[ast.stmt] = []
    xs = None
    if ctx.connected("x"):
        if kind == "histogram":
            ctx.warn("unused_input", "A histogram counts the values of y; x is not used.", port="x")
        else:
            xs = ctx.input("x")
    ys = ctx.input("y")
    if xs is None and kind in ("bar", "scatter"):
        # Positions 0, 1, 2...: y is read twice, so anything but a plain name is computed first.
        if isinstance(ys, ast.Name):
            xs, ys = call("range", call("len", ys)), name(ys.id)
        else:
            values = ctx.fresh_name("values")
            statements.append(assign(values, ys))
            xs, ys = call("range", call("len", name(values))), name(values)
    texts = [(setter, ctx.input(port)) for port, setter in _TEXTS]
    ctx.use_import(PYPLOT, PYPLOT_ALIAS)
    ctx.use_sandbox_builtin("show")
    fig, ax = ctx.fresh_name("fig"), ctx.fresh_name("ax")
    pair = ast.Tuple([ast.Name(fig, ast.Store()), ast.Name(ax, ast.Store())], ast.Store())
    statements.append(ast.Assign([pair], module_call(PYPLOT_ALIAS, "subplots")))
    args = [ys] if xs is None else [xs, ys]
    statements.append(expr_stmt(method(name(ax), _PLOT_METHODS[kind], *args)))
    for setter, text in texts:
        if not (isinstance(text, ast.Constant) and text.value in ("", None)):
            statements.append(expr_stmt(method(name(ax), setter, text)))
    statements.append(expr_stmt(call("show", name(fig))))
    statements.append(expr_stmt(module_call(PYPLOT_ALIAS, "close", name(fig))))
    return statements


SHOW = NodeType(
    "show",
    "output",
    "Show",
    "Shows a value in the console: a table for a DataFrame or a list of dicts, an image for a "
    "matplotlib figure or PNG bytes, text otherwise.",
    ports=(exec_in(), data_in("value"), exec_out()),
    statements=_show,
)
PLOT = NodeType(
    "plot",
    "output",
    "Plot",
    "Draws a chart of y (a list, or a DataFrame column) against x (optional: 0, 1, 2... "
    "without it) and shows it in the console as an image. A histogram counts the values of y.",
    ports=(
        exec_in(),
        data_in("x", "list", required=False),
        data_in("y", "list"),
        data_in("title", "text", required=False, default=""),
        data_in("xlabel", "text", required=False, default="", label="x label"),
        data_in("ylabel", "text", required=False, default="", label="y label"),
        exec_out(),
    ),
    params=(
        Param("kind", "Kind", "select", "line", choices("line", "bar", "scatter", "histogram")),
    ),
    statements=_plot,
)

NODES = (SHOW, PLOT)
