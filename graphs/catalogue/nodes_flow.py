"""Statement and control-flow nodes: variables, If, loops, Try, functions, Sleep, Comment."""

from __future__ import annotations

import ast

from graphs.catalogue.build import assign, block, call, const, expr_stmt, method, module_call, name
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


def _set_variable(ctx: NodeContext) -> list[ast.stmt]:
    value = ctx.input("value")
    return [assign(ctx.variable(ctx.param("name"), store=True), value)]


def _get_variable(ctx: NodeContext, port: str) -> ast.expr:
    return name(ctx.variable(ctx.param("name"), store=False))


def _set_item(ctx: NodeContext) -> list[ast.stmt]:
    collection = ctx.input("collection")
    if ctx.param("op") == "append":
        return [expr_stmt(method(collection, "append", ctx.input("value")))]
    target = ast.Subscript(collection, ctx.input("key"), ast.Store())
    return [ast.Assign([target], ctx.input("value"))]


def _if(ctx: NodeContext) -> list[ast.stmt]:
    condition = ctx.input("condition")
    then, otherwise = ctx.body("then"), ctx.body("else")
    return [ast.If(condition, block(then), otherwise)]


def _while(ctx: NodeContext) -> list[ast.stmt]:
    prelude, condition = ctx.input_with_prelude("condition")
    limit = ctx.param("max_iterations")
    before: list[ast.stmt] = []
    guard: list[ast.stmt] = []
    if limit > 0:
        counter = ctx.fresh_name("iterations")
        before.append(assign(counter, const(0)))
        message = f"While loop stopped after {limit} iterations (its iteration guard)"
        guard = [
            ast.AugAssign(ast.Name(counter, ast.Store()), ast.Add(), const(1)),
            ast.If(
                ast.Compare(name(counter), [ast.Gt()], [const(limit)]),
                [ast.Raise(call("RuntimeError", const(message)), None)],
                [],
            ),
        ]
    body = ctx.body("body")
    if prelude:
        # The condition needs statements of its own: evaluate them before every test.
        stop = ast.If(ast.UnaryOp(ast.Not(), condition), [ast.Break()], [])
        return [*before, ast.While(const(True), [*prelude, stop, *guard, *body], [])]
    return [*before, ast.While(condition, block([*guard, *body]), [])]


def _for_range(ctx: NodeContext) -> list[ast.stmt]:
    args = [ctx.input("stop")]
    if ctx.connected("start") or ctx.connected("step"):
        args.insert(0, ctx.input("start"))
    if ctx.connected("step"):
        args.append(ctx.input("step"))
    target = ctx.output_target("index")
    return [ast.For(target, call("range", *args), block(ctx.body("body")), [])]


def _for_each(ctx: NodeContext) -> list[ast.stmt]:
    collection = ctx.input("collection")
    target = ctx.output_target("item")
    return [ast.For(target, collection, block(ctx.body("body")), [])]


def _break(ctx: NodeContext) -> list[ast.stmt]:
    return [ast.Break()]


def _continue(ctx: NodeContext) -> list[ast.stmt]:
    return [ast.Continue()]


def _try(ctx: NodeContext) -> list[ast.stmt]:
    body = ctx.body("body")
    caught = ctx.fresh_name("error")
    handler: list[ast.stmt] = []
    if ctx.output_used("error"):
        handler.append(ast.Assign([ctx.output_target("error")], call("str", name(caught))))
    handler += ctx.body("except")
    except_clause = ast.ExceptHandler(name("Exception"), caught, block(handler))
    return [ast.Try(block(body), [except_clause], [], [])]


def _return(ctx: NodeContext) -> list[ast.stmt]:
    return [ast.Return(ctx.input("value") if ctx.connected("value") else None)]


def _call_function(ctx: NodeContext) -> list[ast.stmt]:
    target = ctx.function(ctx.param("function"))
    if target is None:
        return []
    identifier, parameters = target
    given = ctx.names("arguments")
    for extra in [n for n in given if n not in parameters]:
        ctx.warn(
            "unknown_argument",
            f"The function has no parameter {extra!r}; this input is ignored.",
            port="arg:" + extra,
        )
    args = []
    for parameter in parameters:
        if parameter in given:
            args.append(ctx.input("arg:" + parameter))
        else:
            ctx.warn("missing_argument", f"No input for parameter {parameter!r}; None is passed.")
            args.append(const(None))
    value = call(identifier, *args)
    if ctx.output_used("result"):
        return [ast.Assign([ctx.output_target("result")], value)]
    return [expr_stmt(value)]


def _sleep(ctx: NodeContext) -> list[ast.stmt]:
    ctx.use_import("time")
    return [expr_stmt(module_call("time", "sleep", ctx.input("seconds")))]


def _comment(ctx: NodeContext) -> list[ast.stmt]:
    return []


SET_VARIABLE = NodeType(
    "set_variable",
    "variables",
    "Set variable",
    "Stores a value in a named (global) variable.",
    ports=(exec_in(), data_in("value", required=False, default=None), exec_out()),
    params=(Param("name", "Variable", "text", "x"),),
    statements=_set_variable,
)
GET_VARIABLE = NodeType(
    "get_variable",
    "variables",
    "Get variable",
    "The current value of a named variable (None before it is first set).",
    ports=(data_out("value"),),
    params=(Param("name", "Variable", "text", "x"),),
    expression=_get_variable,
)
SET_ITEM = NodeType(
    "set_item",
    "collections",
    "Set item / Append",
    "set: collection[key] = value; append: adds value at the end of a list.",
    ports=(
        exec_in(),
        data_in("collection", default=None),
        data_in("key", required=False, default=0),
        data_in("value", required=False, default=None),
        exec_out(),
    ),
    params=(Param("op", "Operation", "select", "set", choices("set", "append")),),
    statements=_set_item,
    mutates=("collection",),
)
IF = NodeType(
    "if",
    "control",
    "If / Else",
    "Runs `then` when the condition holds, `else` otherwise, then continues with `next`.",
    ports=(
        exec_in(),
        data_in("condition", "bool", default=False),
        exec_out("then", "then"),
        exec_out("else", "else"),
        exec_out("next", "next"),
    ),
    statements=_if,
    body_ports=("then", "else"),
)
WHILE = NodeType(
    "while",
    "control",
    "While",
    "Loops: repeats `body` while the condition holds, then continues with `completed`. A guard > 0 "
    "stops a runaway loop with an error after that many iterations.",
    ports=(
        exec_in(),
        data_in("condition", "bool", default=False),
        exec_out("body", "body"),
        exec_out("next", "completed"),
    ),
    params=(
        Param("max_iterations", "Iteration guard (0 = none)", "int", 0, min=0, max=1_000_000_000),
    ),
    statements=_while,
    body_ports=("body",),
    loop=True,
)
FOR_RANGE = NodeType(
    "for_range",
    "control",
    "For range",
    "Loops: runs `body` for each index from start up to (not including) stop, then `completed`.",
    ports=(
        exec_in(),
        data_in("start", "int", required=False, default=0),
        data_in("stop", "int", default=10),
        data_in("step", "int", required=False, default=1),
        exec_out("body", "body"),
        exec_out("next", "completed"),
        data_out("index", "int"),
    ),
    statements=_for_range,
    body_ports=("body",),
    loop=True,
    output_hints={"index": "index"},
    block_outputs={"index": "body"},
)
FOR_EACH = NodeType(
    "for_each",
    "control",
    "For each",
    "Loops over a collection: runs `body` once per item, then `completed`.",
    ports=(
        exec_in(),
        data_in("collection", default=[]),
        exec_out("body", "body"),
        exec_out("next", "completed"),
        data_out("item"),
    ),
    statements=_for_each,
    body_ports=("body",),
    loop=True,
    output_hints={"item": "item"},
    block_outputs={"item": "body"},
)
BREAK = NodeType(
    "break",
    "control",
    "Break",
    "Leaves the innermost loop.",
    ports=(exec_in(),),
    statements=_break,
    needs="loop",
)
CONTINUE = NodeType(
    "continue",
    "control",
    "Continue",
    "Skips to the next iteration of the innermost loop.",
    ports=(exec_in(),),
    statements=_continue,
    needs="loop",
)
TRY = NodeType(
    "try",
    "control",
    "Try / Except",
    "Runs `body`; if it raises an error, runs `except` (with the error message), then `next`.",
    ports=(
        exec_in(),
        exec_out("body", "try"),
        exec_out("except", "except"),
        exec_out("next", "next"),
        data_out("error", "text"),
    ),
    statements=_try,
    body_ports=("body", "except"),
    output_hints={"error": "error_message"},
    block_outputs={"error": "except"},
)
FUNCTION_DEF = NodeType(
    "function_def",
    "functions",
    "Function definition",
    "Defines a function; its parameters are outputs usable in its `body` chain.",
    ports=(exec_out("body", "body"),),
    params=(
        Param("name", "Name", "text", "my_function"),
        Param("parameters", "Parameters (comma-separated)", "text", "a, b"),
    ),
    dynamic_ports=(DynamicPorts("parameters", "names", "output", "arg:"),),
    defines_function=True,
    body_ports=("body",),
)
RETURN = NodeType(
    "return",
    "functions",
    "Return",
    "Ends the function, giving back a value (None if unwired).",
    ports=(exec_in(), data_in("value", required=False, default=None)),
    statements=_return,
    needs="function",
)
CALL_FUNCTION = NodeType(
    "call_function",
    "functions",
    "Call function",
    "Calls a function by name; each argument input goes to the parameter of the same name.",
    ports=(exec_in(), exec_out(), data_out("result")),
    params=(
        Param("function", "Function", "text", "my_function"),
        Param("arguments", "Arguments (comma-separated)", "text", "a, b"),
    ),
    dynamic_ports=(DynamicPorts("arguments", "names", "input", "arg:"),),
    statements=_call_function,
    output_hints={"result": "result"},
)
SLEEP = NodeType(
    "sleep",
    "advanced",
    "Sleep",
    "Waits for a number of seconds.",
    ports=(exec_in(), data_in("seconds", "number", default=1), exec_out()),
    statements=_sleep,
)
COMMENT = NodeType(
    "comment",
    "advanced",
    "Comment",
    "A note on the canvas; generates no code.",
    params=(Param("text", "Text", "multiline", ""),),
)

NODES = (
    SET_VARIABLE,
    GET_VARIABLE,
    SET_ITEM,
    IF,
    WHILE,
    FOR_RANGE,
    FOR_EACH,
    BREAK,
    CONTINUE,
    TRY,
    FUNCTION_DEF,
    RETURN,
    CALL_FUNCTION,
    SLEEP,
    COMMENT,
)
