"""Pure operator nodes: arithmetic, math functions, comparison, logic, text and collections."""

from __future__ import annotations

import ast
import re

from graphs.catalogue.build import call, const, method, module_call, name
from graphs.catalogue.model import (
    DynamicPorts,
    NodeContext,
    NodeType,
    Param,
    choices,
    data_in,
    data_out,
)

_BINARY = {
    "+": ast.Add,
    "-": ast.Sub,
    "*": ast.Mult,
    "/": ast.Div,
    "//": ast.FloorDiv,
    "%": ast.Mod,
    "**": ast.Pow,
}
_COMPARE = {
    "==": ast.Eq,
    "!=": ast.NotEq,
    "<": ast.Lt,
    "<=": ast.LtE,
    ">": ast.Gt,
    ">=": ast.GtE,
    "in": ast.In,
}


def _arithmetic(ctx: NodeContext, port: str) -> ast.expr:
    return ast.BinOp(ctx.input("a"), _BINARY[ctx.param("op")](), ctx.input("b"))


def _math(ctx: NodeContext, port: str) -> ast.expr:
    op = ctx.param("op")
    if op == "random":
        ctx.use_import("random")
        low = ctx.input("a") if ctx.connected("a") else const(0)
        high = ctx.input("b") if ctx.connected("b") else const(1)
        return module_call("random", "uniform", low, high)
    a = ctx.input("a")
    if op == "abs":
        return call("abs", a)
    if op == "round":
        return call("round", a, ctx.input("b")) if ctx.connected("b") else call("round", a)
    if op in ("min", "max"):
        return call(op, a, ctx.input("b"))
    ctx.use_import("math")
    return module_call("math", op, a)


def _compare(ctx: NodeContext, port: str) -> ast.expr:
    return ast.Compare(ctx.input("a"), [_COMPARE[ctx.param("op")]()], [ctx.input("b")])


def _logic(ctx: NodeContext, port: str) -> ast.expr:
    op = ctx.param("op")
    if op == "not":
        return ast.UnaryOp(ast.Not(), ctx.input("a"))
    operator = ast.And() if op == "and" else ast.Or()
    return ast.BoolOp(operator, [ctx.input("a"), ctx.input("b")])


def _conditional(ctx: NodeContext, port: str) -> ast.expr:
    return ast.IfExp(ctx.input("condition"), ctx.input("if_true"), ctx.input("if_false"))


_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _format_parts(ctx: NodeContext) -> list[str | tuple[str, int, str]]:
    """The template as literal texts and (name, conversion, spec) fields; see docs/catalogue.md."""
    template: str = ctx.param("template")
    parts: list[str | tuple[str, int, str]] = []
    literal: list[str] = []
    position = 0
    for match in _FIELD.finditer(template):
        between = template[position : match.start()]
        if "{" in between or "}" in between:
            ctx.warn(
                "format_brace",
                "A single { or } in the template is printed as it is; "
                "write {{ or }} to make that explicit.",
                port="template",
            )
        literal.append(between)
        position = match.end()
        token = match.group(0)
        if match.group(1) is None:
            literal.append(token[0])
            continue
        body = match.group(1)
        cut = re.search(r"[!:]", body)
        field_name = (body[: cut.start()] if cut else body).strip(" \t\r\n")
        rest = body[cut.start() :] if cut else ""
        conversion = -1
        if rest.startswith("!"):
            conv, _, spec = rest[1:].partition(":")
            if conv.strip() in ("r", "s", "a"):
                conversion = ord(conv.strip())
            else:
                ctx.warn(
                    "format_conversion",
                    f"Unknown conversion !{conv[:10]} is ignored.",
                    port="template",
                )
        else:
            spec = rest[1:]
        if not field_name:
            ctx.warn(
                "format_empty_field",
                "An empty {} placeholder is printed as it is.",
                port="template",
            )
            literal.append(token)
            continue
        parts.append("".join(literal))
        literal = []
        parts.append((field_name, conversion, spec))
    literal.append(template[position:])
    tail = "".join(literal)
    if "{" in template[position:] or "}" in template[position:]:
        ctx.warn(
            "format_brace",
            "A single { or } in the template is printed as it is; "
            "write {{ or }} to make that explicit.",
            port="template",
        )
    parts.append(tail)
    return [part for part in parts if part != ""]


def _format_text(ctx: NodeContext, port: str) -> ast.expr:
    parts = _format_parts(ctx)
    fields = [(part, ctx.input("field:" + part[0])) for part in parts if isinstance(part, tuple)]
    if not fields:
        return const("".join(p for p in parts if isinstance(p, str)))
    if all(isinstance(value, ast.Name) for _, value in fields):
        values: list[ast.expr] = []
        exprs = iter(fields)
        for part in parts:
            if isinstance(part, str):
                values.append(ast.Constant(part))
            else:
                _, value = next(exprs)
                spec = ast.JoinedStr([ast.Constant(part[2])]) if part[2] else None
                values.append(ast.FormattedValue(value, part[1], spec))
        fstring = ast.JoinedStr(values)
        if _round_trips(fstring):
            return fstring
    # str.format with positional fields: no quoting corner cases of f-strings in Python 3.11.
    pieces: list[str] = []
    args: list[ast.expr] = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part.replace("{", "{{").replace("}", "}}"))
        else:
            conversion = "!" + chr(part[1]) if part[1] != -1 else ""
            format_spec = ":" + part[2] if part[2] else ""
            pieces.append("{" + str(len(args)) + conversion + format_spec + "}")
            args.append(ctx.input("field:" + part[0]))
    return method(const("".join(pieces)), "format", *args)


def _round_trips(expression: ast.expr) -> bool:
    try:
        source = ast.unparse(ast.fix_missing_locations(ast.Expression(expression)))
        return ast.dump(ast.parse(source, mode="eval").body) == ast.dump(expression)
    except Exception:
        return False


def _text_op(ctx: NodeContext, port: str) -> ast.expr:
    op, text = ctx.param("op"), ctx.input("text")
    if op in ("upper", "lower"):
        return method(text, op)
    if op == "strip":
        return (
            method(text, "strip", ctx.input("arg"))
            if ctx.connected("arg")
            else method(text, "strip")
        )
    if op == "replace":
        return method(text, "replace", ctx.input("arg"), ctx.input("arg2"))
    if op == "split":
        return (
            method(text, "split", ctx.input("arg"))
            if ctx.connected("arg")
            else method(text, "split")
        )
    if op == "join":
        separator = ctx.input("arg") if ctx.connected("arg") else const(" ")
        return method(separator, "join", call("map", name("str"), text))
    if op == "length":
        return call("len", text)
    return method(text, "find", ctx.input("arg"))


def _convert(ctx: NodeContext, port: str) -> ast.expr:
    return call(ctx.param("to"), ctx.input("value"))


def _get_item(ctx: NodeContext, port: str) -> ast.expr:
    return ast.Subscript(ctx.input("collection"), ctx.input("key"), ast.Load())


def _collection_op(ctx: NodeContext, port: str) -> ast.expr:
    op, value = ctx.param("op"), ctx.input("value")
    if op == "length":
        return call("len", value)
    if op in ("sorted", "sum"):
        return call(op, value)
    if op == "reversed":
        return call("list", call("reversed", value))
    if op == "range":
        args = [value, ctx.input("arg")] if ctx.connected("arg") else [value]
        return call("list", call("range", *args))
    if op in ("keys", "values"):
        return call("list", method(value, op))
    return ast.Compare(ctx.input("arg"), [ast.In()], [value])


ARITHMETIC = NodeType(
    "arithmetic",
    "math",
    "Arithmetic",
    "Adds, subtracts, multiplies, divides or raises two values.",
    ports=(data_in("a", default=0), data_in("b", default=0), data_out("result", "number")),
    params=(
        Param(
            "op",
            "Operation",
            "select",
            "+",
            choices(
                ("+", "+ add"),
                ("-", "- subtract"),
                ("*", "* multiply"),
                ("/", "/ divide"),
                ("//", "// whole division"),
                ("%", "% remainder"),
                ("**", "** power"),
            ),
        ),
    ),
    expression=_arithmetic,
)
MATH = NodeType(
    "math",
    "math",
    "Math function",
    "abs, round (b = digits), min, max, sqrt, floor, ceil of a; random: a number between a and b "
    "(0 and 1 by default), drawn once per statement that reads it.",
    ports=(
        data_in("a", "number", default=0),
        data_in("b", "number", required=False, default=0),
        data_out("result", "number"),
    ),
    params=(
        Param(
            "op",
            "Function",
            "select",
            "abs",
            choices("abs", "round", "min", "max", "sqrt", "floor", "ceil", "random"),
        ),
    ),
    expression=_math,
    volatile_if=("op", "random"),
)
COMPARE = NodeType(
    "compare",
    "logic",
    "Compare",
    "Compares two values (in: a is contained in b).",
    ports=(data_in("a", default=0), data_in("b", default=0), data_out("result", "bool")),
    params=(Param("op", "Comparison", "select", "==", choices(*_COMPARE)),),
    expression=_compare,
)
LOGIC = NodeType(
    "logic",
    "logic",
    "And / Or / Not",
    "Combines true/false values (not uses only a).",
    ports=(
        data_in("a", "bool", default=False),
        data_in("b", "bool", required=False, default=False),
        data_out("result", "bool"),
    ),
    params=(Param("op", "Operation", "select", "and", choices("and", "or", "not")),),
    expression=_logic,
    lazy_inputs=("b",),
)
CONDITIONAL = NodeType(
    "conditional",
    "logic",
    "Conditional value",
    "if_true when the condition holds, else if_false.",
    ports=(
        data_in("condition", "bool", default=False),
        data_in("if_true", required=False, default=None),
        data_in("if_false", required=False, default=None),
        data_out("value"),
    ),
    expression=_conditional,
    lazy_inputs=("if_true", "if_false"),
)
FORMAT_TEXT = NodeType(
    "format_text",
    "text",
    "Format text",
    "Fills the {name} placeholders of a template (Python format spec allowed: {price:.2f}).",
    ports=(data_out("text", "text"),),
    params=(Param("template", "Template", "text", "Hello, {name}!"),),
    dynamic_ports=(DynamicPorts("template", "placeholders", "input", "field:"),),
    expression=_format_text,
)
TEXT_OP = NodeType(
    "text_op",
    "text",
    "Text operation",
    "upper, lower, strip, replace (arg -> arg2), split (by arg), join (list `text` with separator "
    "arg), length, find (position of arg, -1 if absent).",
    ports=(
        data_in("text", "any", default=""),
        data_in("arg", required=False, default=""),
        data_in("arg2", required=False, default=""),
        data_out("result"),
    ),
    params=(
        Param(
            "op",
            "Operation",
            "select",
            "upper",
            choices("upper", "lower", "strip", "replace", "split", "join", "length", "find"),
        ),
    ),
    expression=_text_op,
)
CONVERT = NodeType(
    "convert",
    "text",
    "Convert",
    "Converts a value to int, float, str or bool.",
    ports=(data_in("value", default=0), data_out("result")),
    params=(Param("to", "To", "select", "str", choices("int", "float", "str", "bool")),),
    expression=_convert,
)
GET_ITEM = NodeType(
    "get_item",
    "collections",
    "Get item",
    "collection[key]: an item of a list or a dictionary.",
    ports=(data_in("collection", default=None), data_in("key", default=0), data_out("value")),
    expression=_get_item,
)
COLLECTION_OP = NodeType(
    "collection_op",
    "collections",
    "Collection operation",
    "length, sorted, reversed, sum, range (0..value-1, or value..arg-1), keys, values, "
    "contains (arg in value).",
    ports=(
        data_in("value", default=None),
        data_in("arg", required=False, default=None),
        data_out("result"),
    ),
    params=(
        Param(
            "op",
            "Operation",
            "select",
            "length",
            choices("length", "sorted", "reversed", "sum", "range", "keys", "values", "contains"),
        ),
    ),
    expression=_collection_op,
)

NODES = (
    ARITHMETIC,
    MATH,
    COMPARE,
    LOGIC,
    CONDITIONAL,
    FORMAT_TEXT,
    TEXT_OP,
    CONVERT,
    GET_ITEM,
    COLLECTION_OP,
)
