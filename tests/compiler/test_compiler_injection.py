"""A graph can put code into the compiled program only through a Python code node's `code`.

Every other text a graph carries (each parameter of each node type, node ids, labels, dynamic
port handles) is given payloads that try to break out of a string, a comment, a name or a
number; the compiled program must never contain the payload's call."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from graphs.catalogue import catalogue_json
from graphs.compiler import compile_graph

PAYLOADS = [
    "\n__import__('os').system('PWNED')\n",
    "'); __import__('os').system('PWNED'); ('",
    '"); __import__("os").system("PWNED"); ("',
    '"""\n__import__("os").system("PWNED")\n"""',
    "{__import__('os').system('PWNED')}",
    "{0.__class__}{__import__('os').system('PWNED')!r}",
    "1; __import__('os').system('PWNED')",
    "1\n__import__('os').system('PWNED')",
    "x=__import__('os').system('PWNED'), y",
    "a, b):\n  pass\n__import__('os').system('PWNED')\ndef f(",
    "\\\n__import__('os').system('PWNED')",
    "\r__import__('os').system('PWNED')",
    "\u2028__import__('os').system('PWNED')",
    "\x0c__import__('os').system('PWNED')",
    "#\n__import__('os').system('PWNED')",
]
DYNAMIC_PREFIXES = ("field:", "key:", "arg:", "in:", "out:", "item")
NODE_TYPES = {node["type"]: node for node in catalogue_json()["nodes"]}


def injected_call(code: str) -> str | None:
    """The first call in `code` that a payload would have produced, if any."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "system":
                return ast.unparse(node)
            if isinstance(func, ast.Name) and func.id in ("__import__", "eval", "exec"):
                return ast.unparse(node)
    return None


def node(node_id: str, type_: str, x: int, params: dict[str, Any], label: str = "") -> dict:
    return {
        "id": node_id,
        "type": type_,
        "position": {"x": x, "y": 0},
        "data": {"params": params, "label": label},
    }


def edge(edge_id: str, source: str, source_port: str, target: str, target_port: str) -> dict:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": source_port,
        "target": target,
        "targetHandle": target_port,
    }


def graph_around(type_: str, params: dict[str, Any], payload: str) -> dict:
    """on_start -> the node -> print(its first data output), plus payload-named handles."""
    spec = NODE_TYPES[type_]
    ports = {port["id"] for port in spec["ports"]}
    nodes = [
        node("s", "on_start", 0, {}),
        node("n", type_, 100, params),
        node("p", "print", 200, {}),
    ]
    edges = []
    if "exec" in ports:
        edges.append(edge("e1", "s", "next", "n", "exec"))
        edges.append(edge("e2", "n", "next", "p", "exec"))
    else:
        edges.append(edge("e2", "s", "next", "p", "exec"))
    outputs = [p["id"] for p in spec["ports"] if p["direction"] == "output" and p["kind"] == "data"]
    if outputs:
        edges.append(edge("e3", "n", outputs[0], "p", "value"))
    for prefix in DYNAMIC_PREFIXES:
        edges.append(edge(f"d{prefix}", "s", prefix + payload, "n", prefix + payload))
    return {"nodes": nodes, "edges": edges}


def param_cases() -> list[tuple[str, str, str | None]]:
    cases = []
    for type_, spec in NODE_TYPES.items():
        # A Python code node's `code` is code by design; its port names are not.
        ids = ["inputs", "outputs"] if type_ == "python_code" else [p["id"] for p in spec["params"]]
        for param_id in ids:
            if type_ == "literal" and param_id == "value":
                kind = next(p for p in spec["params"] if p["id"] == "kind")
                cases += [(type_, param_id, choice["value"]) for choice in kind["choices"]]
            else:
                cases.append((type_, param_id, None))
    return cases


@pytest.mark.parametrize(("type_", "param_id", "literal_kind"), param_cases())
def test_no_parameter_can_inject_code(type_: str, param_id: str, literal_kind: str | None) -> None:
    for payload in PAYLOADS:
        params: dict[str, Any] = {param_id: payload}
        if literal_kind:
            params["kind"] = literal_kind
        if type_ == "python_code":
            params["code"] = "pass"
        result = compile_graph(graph_around(type_, params, payload))
        assert injected_call(result.code) is None, (payload, result.code)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_node_ids_labels_comments_and_edge_ids_cannot_inject_code(payload: str) -> None:
    graph = {
        "nodes": [
            node("s" + payload, "on_start", 0, {}, label=payload),
            node(payload, "print", 100, {}, label=payload),
            node("c", "comment", 200, {"text": payload}),
        ],
        "edges": [edge(payload, "s" + payload, "next", payload, "exec")],
    }
    result = compile_graph(graph)
    assert not result.has_errors
    assert injected_call(result.code) is None, result.code


def test_the_check_does_see_code_in_a_python_code_node() -> None:
    # The detector itself works: the one legitimate way in is found.
    graph = {
        "nodes": [
            node("s", "on_start", 0, {}),
            node("py", "python_code", 100, {"code": "__import__('os').system('true')"}),
        ],
        "edges": [edge("e", "s", "next", "py", "exec")],
    }
    assert injected_call(compile_graph(graph).code) is not None
