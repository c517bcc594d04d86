"""What a Python annotation means for a pin: its data type, whether None is allowed, a Literal's
choices. Read from the AST only (the annotation is never evaluated; docs/catalogue.md, "Library
nodes": int, float, str, bool, list, dict, list[...], dict[...], Optional[X], X | None, Literal)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

# The last part of a dotted name (`typing.List` reads `List`) -> the catalogue's data type.
_SIMPLE = {
    "int": "int",
    "float": "float",
    "str": "text",
    "bool": "bool",
    "list": "list",
    "List": "list",
    "dict": "dict",
    "Dict": "dict",
}
_OPTIONAL = ("Optional",)
_UNION = ("Union",)
_ANNOTATED = ("Annotated",)
_LITERAL = ("Literal",)
_TUPLE = ("tuple", "Tuple")
MAX_STRING_ANNOTATION = 500  # a quoted annotation ("list[int]") is parsed, when this short
MAX_CHOICES = 64


@dataclass(frozen=True)
class PinType:
    type: str = "any"
    optional: bool = False  # None is a valid value: the pin is not required


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def unquote(node: ast.expr | None, depth: int = 0) -> ast.expr | None:
    """A string annotation ("int | None") as the expression it holds; else the node itself."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and depth < 3:
        if len(node.value) > MAX_STRING_ANNOTATION:
            return None
        try:
            parsed = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return unquote(parsed, depth + 1)
    return node


def _union_members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union_members(node.left), *_union_members(node.right)]
    return [node]


def _is_none(node: ast.expr | None) -> bool:
    node = unquote(node)
    return (isinstance(node, ast.Constant) and node.value is None) or (
        isinstance(node, ast.Name) and node.id == "NoneType"
    )


def _subscript_items(node: ast.Subscript) -> list[ast.expr]:
    inner = node.slice
    return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]


def pin_type(annotation: ast.expr | None, depth: int = 0) -> PinType:
    """The pin of a parameter annotated so (no annotation: `any`)."""
    node = unquote(annotation)
    if node is None or depth > 20:
        return PinType()
    if _is_none(node):
        return PinType("none")
    members = _union_members(node)
    if len(members) > 1:
        return _union(members, depth)
    if isinstance(node, ast.Subscript):
        base = _base_name(node.value)
        items = _subscript_items(node)
        if base in _OPTIONAL and len(items) == 1:
            return PinType(pin_type(items[0], depth + 1).type, True)
        if base in _UNION:
            return _union(items, depth)
        if base in _ANNOTATED and items:
            return pin_type(items[0], depth + 1)
        if base in ("list", "List", "dict", "Dict"):  # list[int] is a list pin
            return PinType(_SIMPLE[base])
        return PinType()
    return PinType(_SIMPLE.get(_base_name(node) or "", "any"))


def _union(members: list[ast.expr], depth: int) -> PinType:
    rest = [m for m in members if not _is_none(m)]
    optional = len(rest) < len(members)
    if len(rest) == 1:
        return PinType(pin_type(rest[0], depth + 1).type, optional)
    types = {pin_type(m, depth + 1).type for m in rest}
    return PinType(types.pop() if len(types) == 1 else "any", optional)


def literal_choices(annotation: ast.expr | None) -> list[Any] | None:
    """The values of a `Literal[...]` annotation (constants only), or None if it is not one."""
    node = unquote(annotation)
    if not isinstance(node, ast.Subscript) or _base_name(node.value) not in _LITERAL:
        return None
    values: list[Any] = []
    for item in _subscript_items(node):
        if not isinstance(item, ast.Constant) or not isinstance(
            item.value, str | int | float | bool | type(None)
        ):
            return None
        if item.value not in values:
            values.append(item.value)
    return values[:MAX_CHOICES] or None


def choice_value(value: Any) -> str:
    """How a Literal value is stored in `data.params` (a select's values are strings)."""
    return value if isinstance(value, str) else repr(value)


def tuple_items(annotation: ast.expr | None) -> list[ast.expr] | None:
    """The element annotations of a `tuple[A, B]` return annotation; None if it is none
    (`tuple[int, ...]` and a bare `tuple` are one value)."""
    node = unquote(annotation)
    if not isinstance(node, ast.Subscript) or _base_name(node.value) not in _TUPLE:
        return None
    items = _subscript_items(node)
    if any(isinstance(i, ast.Constant) and i.value is Ellipsis for i in items):
        return None
    return items


def returns_nothing(annotation: ast.expr | None) -> bool:
    return annotation is None or _is_none(annotation)


def annotation_name(annotation: ast.expr | None) -> str | None:
    """The plain name a return annotation gives (a NamedTuple class of the code, maybe)."""
    node = unquote(annotation)
    return node.id if isinstance(node, ast.Name) else None
