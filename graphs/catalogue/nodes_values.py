"""Events, input/output and value nodes: On Start, Print, Input, Literal, Make List, Make Dict."""

from __future__ import annotations

import ast
import json

from graphs.catalogue.build import call, const, expr_stmt
from graphs.catalogue.model import (
    DynamicPorts,
    NodeContext,
    NodeType,
    Param,
    choices,
    data_in,
    data_out,
    exec_in,
    exec_out,
)


def _print(ctx: NodeContext) -> list[ast.stmt]:
    return [expr_stmt(call("print", ctx.input("value")))]


def _input(ctx: NodeContext) -> list[ast.stmt]:
    prompt = ctx.param("prompt")
    value: ast.expr = call("input", const(prompt)) if prompt else call("input")
    cast = ctx.param("cast")
    if cast in ("int", "float"):
        value = call(cast, value)
    if ctx.output_used("value"):
        return [ast.Assign([ctx.output_target("value")], value)]
    return [expr_stmt(value)]


def parse_literal(ctx: NodeContext) -> object:
    kind, raw = ctx.param("kind"), ctx.param("value")
    if kind == "none":
        return None
    if kind == "text":
        return raw if isinstance(raw, str) else json.dumps(raw)  # true, not True
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text not in ("false", "0", "no", ""):
            ctx.warn("invalid_literal", f"{raw!r} is not a boolean (true/false); using false.")
        return False
    if isinstance(raw, int | float):  # a JSON number, or a boolean, stays what it is
        return raw
    text = str(raw).strip().replace("_", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        ctx.warn("invalid_literal", f"{str(raw)[:40]!r} is not a number; using 0.")
        return 0


def _literal(ctx: NodeContext, port: str) -> ast.expr:
    return const(parse_literal(ctx))


def _make_list(ctx: NodeContext, port: str) -> ast.expr:
    return ast.List([ctx.input("item" + n) for n in ctx.names("count")], ast.Load())


def _make_dict(ctx: NodeContext, port: str) -> ast.expr:
    keys = ctx.names("keys")
    return ast.Dict([const(k) for k in keys], [ctx.input("key:" + k) for k in keys])


ON_START = NodeType(
    "on_start",
    "events",
    "On Start",
    "Where the program starts: wire its output to the first statement to run.",
    ports=(exec_out(),),
    starts_chain=True,
)
PRINT = NodeType(
    "print",
    "io",
    "Print",
    "Writes a value to the output, followed by a new line.",
    ports=(exec_in(), data_in("value", default=""), exec_out()),
    statements=_print,
)
INPUT = NodeType(
    "input",
    "io",
    "Input",
    "Reads one line typed by the user, optionally converted to a whole or decimal number.",
    ports=(exec_in(), exec_out(), data_out("value")),
    params=(
        Param("prompt", "Prompt", "text", ""),
        Param(
            "cast",
            "Convert to",
            "select",
            "none",
            choices(
                ("none", "text (no conversion)"),
                ("int", "whole number (int)"),
                ("float", "decimal number (float)"),
            ),
        ),
    ),
    statements=_input,
    output_hints={"value": "user_input"},
)
LITERAL = NodeType(
    "literal",
    "values",
    "Literal",
    "A fixed value: a number, a text, true/false or None.",
    ports=(data_out("value"),),
    params=(
        Param("kind", "Kind", "select", "number", choices("number", "text", "bool", "none")),
        Param("value", "Value", "multiline", "0", scalars=True),
    ),
    expression=_literal,
)
MAKE_LIST = NodeType(
    "make_list",
    "values",
    "Make List",
    "Builds a list from its inputs, in order.",
    ports=(data_out("list", "list"),),
    params=(Param("count", "Items", "int", 2, min=0, max=64),),
    dynamic_ports=(DynamicPorts("count", "count", "input", "item"),),
    expression=_make_list,
)
MAKE_DICT = NodeType(
    "make_dict",
    "values",
    "Make Dict",
    "Builds a dictionary with one input per key.",
    ports=(data_out("dict", "dict"),),
    params=(Param("keys", "Keys (comma-separated)", "text", "a, b"),),
    dynamic_ports=(DynamicPorts("keys", "names", "input", "key:"),),
    expression=_make_dict,
)

NODES = (ON_START, PRINT, INPUT, LITERAL, MAKE_LIST, MAKE_DICT)
