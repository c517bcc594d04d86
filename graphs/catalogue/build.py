"""Small constructors for Python AST nodes, so node generators read like the code they produce."""

from __future__ import annotations

import ast
import math
from typing import Any


def const(value: Any) -> ast.expr:
    """A literal. Negative numbers become unary minus so `(-5) ** 2` keeps its parentheses."""
    if value is None or type(value) in (str, bool):  # the common cases, first
        return ast.Constant(value)
    if isinstance(value, float) and not math.isfinite(value):
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return call("float", ast.Constant(text))
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (value < 0 or (isinstance(value, float) and math.copysign(1.0, value) < 0))
    ):
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def name(identifier: str) -> ast.Name:
    return ast.Name(identifier, ast.Load())


def store(identifier: str) -> ast.Name:
    return ast.Name(identifier, ast.Store())


def call(func: str | ast.expr, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    target = name(func) if isinstance(func, str) else func
    return ast.Call(target, list(args), [ast.keyword(k, v) for k, v in kwargs.items()])


def method(obj: ast.expr, method_name: str, *args: ast.expr) -> ast.Call:
    return call(ast.Attribute(obj, method_name, ast.Load()), *args)


def module_call(module: str, func: str, *args: ast.expr) -> ast.Call:
    return call(ast.Attribute(name(module), func, ast.Load()), *args)


def assign(target: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([store(target)], value)


def expr_stmt(value: ast.expr) -> ast.Expr:
    return ast.Expr(value)


def block(statements: list[ast.stmt]) -> list[ast.stmt]:
    """A Python block may not be empty."""
    return statements or [ast.Pass()]
