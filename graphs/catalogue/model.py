"""The shape of a node type: ports, params, dynamic port rules and the hook generating its code.

Everything here is plain data plus two pure functions (`dynamic_port_names`, `NodeType.ports_for`),
so the editor (TypeScript) can reproduce the dynamic port rules from the JSON alone.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol

MAX_DYNAMIC_PORTS = 64
EXEC_IN = "exec"
EXEC_NEXT = "next"

_TRIM = " \t\r\n"
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True)
class Port:
    id: str
    direction: Literal["input", "output"]
    kind: Literal["exec", "data"] = "data"
    type: str = "any"
    label: str | None = None
    required: bool = False
    default: Any = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "direction": self.direction, "kind": self.kind}
        if self.kind == "data":
            data["type"] = self.type
        data["label"] = self.id if self.label is None else self.label
        if self.kind == "data" and self.direction == "input":
            data["required"] = self.required
            data["default"] = self.default
        return data


def exec_in() -> Port:
    return Port(EXEC_IN, "input", "exec", label="")


def exec_out(port_id: str = EXEC_NEXT, label: str = "") -> Port:
    return Port(port_id, "output", "exec", label=label)


def data_in(
    port_id: str,
    type_: str = "any",
    *,
    required: bool = True,
    default: Any = None,
    label: str | None = None,
) -> Port:
    return Port(port_id, "input", "data", type_, label, required, default)


def data_out(port_id: str, type_: str = "any", label: str | None = None) -> Port:
    return Port(port_id, "output", "data", type_, label)


@dataclass(frozen=True)
class Param:
    id: str
    label: str
    kind: str
    default: Any
    choices: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    scalars: bool = False  # a text param that also takes a JSON number or boolean as it is

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "default": self.default,
        }
        if self.choices:
            data["choices"] = [{"value": value, "label": label} for value, label in self.choices]
        if self.min is not None:
            data["min"] = self.min
        if self.max is not None:
            data["max"] = self.max
        return data

    def coerce(self, value: Any) -> tuple[Any, bool]:
        """The value the compiler uses, and whether `value` was acceptable as given."""
        if value is None:
            return self.default, True
        ok = False
        if self.kind in ("text", "multiline", "code"):
            ok = isinstance(value, str) or (self.scalars and _json_scalar(value))
        elif self.kind == "select":
            ok = isinstance(value, str) and value in {choice for choice, _ in self.choices}
        elif self.kind == "bool":
            ok = isinstance(value, bool)
        elif self.kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.kind == "number":
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value == value
                and abs(value) != float("inf")
            )
        if not ok:
            return self.default, False
        if self.kind in ("int", "number"):
            if self.min is not None and value < self.min:
                value = type(value)(self.min)
            if self.max is not None and value > self.max:
                value = type(value)(self.max)
        return value, True


def _json_scalar(value: Any) -> bool:
    """A JSON number (finite) or boolean."""
    return isinstance(value, bool) or (isinstance(value, int | float) and math.isfinite(value))


def fits_type(value: Any, type_: str) -> bool:
    """Whether a value typed on a pin (`data.inputs`) suits the port's data type."""
    number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if type_ in ("number", "float"):
        return number
    if type_ == "int":
        return number and isinstance(value, int)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "text":
        return isinstance(value, str)
    if type_ == "any":
        return number or isinstance(value, bool | str)
    return False


def choices(*values: str | tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) if isinstance(v, str) else v for v in values)


@dataclass(frozen=True)
class DynamicPorts:
    """One port per name derived from a param: see docs/catalogue.md, "Dynamic ports"."""

    param: str
    source: Literal["names", "count", "placeholders"]
    direction: Literal["input", "output"]
    prefix: str
    type: str = "any"

    def to_json(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "source": self.source,
            "direction": self.direction,
            "kind": "data",
            "type": self.type,
            "prefix": self.prefix,
        }

    def names(self, value: Any, default: Any) -> list[str]:
        return dynamic_port_names(self.source, value, default)

    def port(self, name: str) -> Port:
        label = self.prefix + name if self.source == "count" else name
        if self.direction == "input":
            return Port(self.prefix + name, "input", "data", self.type, label, False, None)
        return Port(self.prefix + name, "output", "data", self.type, label)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        if name and name not in seen:
            seen[name] = None
        if len(seen) >= MAX_DYNAMIC_PORTS:
            break
    return list(seen)


def split_names(value: str) -> list[str]:
    return _unique([piece.strip(_TRIM) for piece in value.split(",")])


def placeholder_names(template: str) -> list[str]:
    names = []
    for match in _PLACEHOLDER.finditer(template):
        field_text = match.group(1)
        if field_text is not None:
            names.append(re.split(r"[!:]", field_text, maxsplit=1)[0].strip(_TRIM))
    return _unique(names)


def dynamic_port_names(source: str, value: Any, default: Any) -> list[str]:
    if source == "count":
        if not isinstance(value, int) or isinstance(value, bool):
            value = default
        return [str(i) for i in range(max(0, min(int(value), MAX_DYNAMIC_PORTS)))]
    if not isinstance(value, str):
        value = default if isinstance(default, str) else ""
    if source == "names":
        return split_names(value)
    return placeholder_names(value)


class NodeContext(Protocol):
    """What a node's code generator may ask of the compiler (implemented in graphs/compiler)."""

    node_id: str

    def param(self, param_id: str) -> Any: ...
    def input(self, port_id: str) -> ast.expr: ...
    def input_with_prelude(self, port_id: str) -> tuple[list[ast.stmt], ast.expr]: ...
    def connected(self, port_id: str) -> bool: ...
    def names(self, param_id: str) -> list[str]: ...
    def output_used(self, port_id: str) -> bool: ...
    def output_target(self, port_id: str) -> ast.Name: ...
    def body(self, port_id: str) -> list[ast.stmt]: ...
    def fresh_name(self, hint: str) -> str: ...
    def use_import(self, module: str, alias: str | None = None) -> None: ...
    def use_sandbox_builtin(self, builtin: str) -> None: ...
    def variable(self, raw_name: Any, store: bool = False) -> str: ...
    def function(self, raw_name: Any) -> tuple[str, list[str]] | None: ...
    def add_top_level(self, definition: ast.stmt) -> bool: ...
    # Graphs as functions (graphs/catalogue/nodes_graphs.py): what these mean depends on whether
    # the graph is the script itself or a function built from a graph used as a node.
    def graph_input(self) -> ast.expr: ...
    def graph_output(self, value: ast.expr) -> list[ast.stmt]: ...
    def call_graph(self) -> list[ast.stmt]: ...
    def warn(
        self,
        code: str,
        message: str,
        port: str | None = None,
        severity: Literal["error", "warning", "info"] = "warning",  # compiler.result.Severity
    ) -> None: ...


ExpressionGen = Callable[[NodeContext, str], ast.expr]
StatementGen = Callable[[NodeContext], list[ast.stmt]]


@dataclass(frozen=True)
class NodeType:
    type: str
    category: str
    title: str
    description: str
    ports: tuple[Port, ...] = ()
    params: tuple[Param, ...] = ()
    dynamic_ports: tuple[DynamicPorts, ...] = ()
    # Pure nodes give an expression per output port; statements give a list of statements.
    expression: ExpressionGen | None = None
    statements: StatementGen | None = None
    # Structure, read by the compiler's placement pass.
    body_ports: tuple[str, ...] = ()  # execution outputs that hold nested blocks
    loop: bool = False  # body_ports are a loop body (break/continue valid)
    needs: Literal["loop", "function"] | None = None
    starts_chain: bool = False  # on_start
    defines_function: bool = False  # function_def
    # (param, value): when that param has that value, the node is pure in shape but is evaluated
    # once per statement that reads it (math `random`), never inlined twice.
    volatile_if: tuple[str, str] | None = None
    output_hints: dict[str, str] = field(default_factory=dict)  # readable variable names
    # output port -> the body port whose block assigns it (a loop variable lives in the body)
    block_outputs: dict[str, str] = field(default_factory=dict)
    # Inputs evaluated only sometimes (a branch of a Conditional, the right side of And/Or):
    # what feeds only them is never computed ahead of the node.
    lazy_inputs: tuple[str, ...] = ()
    # Inputs whose value the node changes in place (Set item's collection).
    mutates: tuple[str, ...] = ()

    @cached_property
    def pure(self) -> bool:
        return self.statements is None and not self.starts_chain and not self.defines_function

    @cached_property
    def first_output(self) -> str:
        """The output a pure node's expression gives (pure nodes have one output)."""
        return next((p.id for p in self.ports if p.direction == "output"), "value")

    @cached_property
    def static_ports(self) -> dict[str, Port]:
        return {port.id: port for port in self.ports}

    @cached_property
    def params_by_id(self) -> dict[str, Param]:
        return {param.id: param for param in self.params}

    def ports_for(self, params: dict[str, Any]) -> dict[str, Port]:
        """Static plus dynamic ports, for a node whose (already coerced) params are `params`.
        Without dynamic ports every node of the type shares one mapping: do not change it."""
        if not self.dynamic_ports:
            return self.static_ports
        ports = dict(self.static_ports)
        defaults = self.params_by_id
        for rule in self.dynamic_ports:
            default = defaults[rule.param].default if rule.param in defaults else ""
            for name in rule.names(params.get(rule.param), default):
                port = rule.port(name)
                ports.setdefault(port.id, port)
        return ports

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "category": self.category,
            "title": self.title,
            "description": self.description,
            "pure": self.pure,
            "ports": [port.to_json() for port in self.ports],
            "params": [param.to_json() for param in self.params],
            "dynamic_ports": [rule.to_json() for rule in self.dynamic_ports],
        }
