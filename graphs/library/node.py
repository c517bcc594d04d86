"""A library function as a node type: `lib:<id>`, in exactly the shape of `GET /api/nodes/`.

Ports: an input `in:<name>` per parameter (a `Literal` one is the select param `arg:<name>`
instead), the output `result` or one `out:<field>` / `out:<index>` per tuple element, and the
execution pins `exec` and `next` unless the function is marked pure. Params: `version` (the
pinned version, first) then the `arg:` selects. None of these ids can collide (docs/catalogue.md,
"Library nodes").
"""

from __future__ import annotations

import ast
from functools import partial
from typing import TYPE_CHECKING, Any

from graphs.catalogue.build import const, expr_stmt, name
from graphs.catalogue.model import (
    NodeContext,
    NodeType,
    Param,
    Port,
    data_in,
    data_out,
    exec_in,
    exec_out,
)
from graphs.library.annotations import choice_value

if TYPE_CHECKING:  # parse.py imports the compiler's Diagnostic, and the compiler imports this
    from graphs.library.parse import LibraryFunction

TYPE_PREFIX = "lib:"
CATEGORY = "library"  # not one of the catalogue's categories: the palette's "My nodes"
IN_PREFIX = "in:"
ARG_PREFIX = "arg:"
VERSION_PARAM = "version"


def type_id(entry_id: int) -> str:
    return f"{TYPE_PREFIX}{entry_id}"


def entry_id_of(node_type: Any) -> int | None:
    """The entry id of a `lib:<id>` type, or None."""
    if not isinstance(node_type, str) or not node_type.startswith(TYPE_PREFIX):
        return None
    digits = node_type[len(TYPE_PREFIX) :]
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)


def _arguments(ctx: NodeContext, function: LibraryFunction) -> list[ast.keyword]:
    """Keyword arguments: a wired or typed input; a required one (missing: reported); a
    Literal's chosen value. An open input with a default is left out (the function's default
    applies); an open Optional one without a default gets None."""
    keywords: list[ast.keyword] = []
    for parameter in function.parameters:
        if parameter.choices:
            chosen = ctx.param(ARG_PREFIX + parameter.name)
            table = {choice_value(value): value for value in parameter.choices}
            keywords.append(ast.keyword(parameter.name, const(table.get(chosen, chosen))))
            continue
        port = IN_PREFIX + parameter.name
        if ctx.connected(port) or parameter.required:
            keywords.append(ast.keyword(parameter.name, ctx.input(port)))
        elif not parameter.has_default:
            keywords.append(ast.keyword(parameter.name, const(None)))
    return keywords


def _call(ctx: NodeContext, function: LibraryFunction, identifier: str) -> ast.Call:
    return ast.Call(name(identifier), [], _arguments(ctx, function))


def _expression(
    function: LibraryFunction, identifier: str, ctx: NodeContext, port: str
) -> ast.expr:
    return _call(ctx, function, identifier)


def _statements(function: LibraryFunction, identifier: str, ctx: NodeContext) -> list[ast.stmt]:
    value = _call(ctx, function, identifier)
    used = [o for o in function.outputs if ctx.output_used(o.port)]
    if not used:
        return [expr_stmt(value)]
    if not function.tuple_result:
        return [ast.Assign([ctx.output_target("result")], value)]
    results = ctx.fresh_name("results")
    statements: list[ast.stmt] = [ast.Assign([ast.Name(results, ast.Store())], value)]
    for index, output in enumerate(function.outputs):
        if output in used:
            item = ast.Subscript(name(results), const(index), ast.Load())
            statements.append(ast.Assign([ctx.output_target(output.port)], item))
    return statements


def node_type(
    function: LibraryFunction,
    entry_id: int,
    version: int,
    description: str = "",
    identifier: str = "",
) -> NodeType:
    """The node type of `function` as version `version` of entry `entry_id`; `identifier` is the
    name the compiler gave its function (the type only generates code with one)."""
    ports: list[Port] = [] if function.pure else [exec_in()]
    params = [Param(VERSION_PARAM, "Version", "int", version, min=1)]
    for parameter in function.parameters:
        if parameter.choices:
            choices = tuple((choice_value(v), choice_value(v)) for v in parameter.choices)
            params.append(
                Param(
                    ARG_PREFIX + parameter.name,
                    parameter.name,
                    "select",
                    parameter.default,
                    choices,
                )
            )
        else:
            ports.append(
                data_in(
                    IN_PREFIX + parameter.name,
                    parameter.type,
                    required=parameter.required,
                    default=parameter.default,
                    label=parameter.name,
                )
            )
    if not function.pure:
        ports.append(exec_out())
    ports += [data_out(o.port, o.type, label=o.label) for o in function.outputs]
    hints = {o.port: o.label if o.port != "result" else function.name for o in function.outputs}
    return NodeType(
        type_id(entry_id),
        CATEGORY,
        function.name,
        function.description or description,
        ports=tuple(ports),
        params=tuple(params),
        expression=partial(_expression, function, identifier) if function.pure else None,
        statements=None if function.pure else partial(_statements, function, identifier),
        output_hints=hints,
    )


def node_json(
    function: LibraryFunction, entry_id: int, version: int, description: str = ""
) -> dict[str, Any]:
    """The `node` field of a library entry (and of a preview)."""
    return node_type(function, entry_id, version, description).to_json()
