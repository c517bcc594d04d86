"""One golden test per node type: the generated script runs in a plain interpreter and prints
exactly what the graph means."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from itertools import pairwise
from typing import Any

import pytest

from graphs.catalogue import NODE_TYPES
from graphs.compiler import compile_graph, snapshots_resolver


def node(node_id: str, type_: str, y: float = 0, x: float = 0, **params: Any) -> dict:
    return {"id": node_id, "type": type_, "position": {"x": x, "y": y}, "data": {"params": params}}


def edge(source: str, source_port: str, target: str, target_port: str) -> dict:
    return {
        "id": f"{source}:{source_port}->{target}:{target_port}",
        "source": source,
        "sourceHandle": source_port,
        "target": target,
        "targetHandle": target_port,
    }


def chain(*node_ids: str) -> list[dict]:
    """Execution edges start -> a -> b ... through the `next` ports."""
    return [edge(a, "next", b, "exec") for a, b in pairwise(node_ids)]


def lit(node_id: str, value: Any, kind: str = "number") -> dict:
    return node(node_id, "literal", kind=kind, value=value)


def run(graph: dict, stdin: str = "") -> str:
    result = compile_graph(graph, graphs=snapshots_resolver(graph))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, errors
    completed = subprocess.run(
        [sys.executable, "-I", "-c", result.code],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + "\n" + result.code
    return completed.stdout


def print_of(
    value_node: dict, port: str | None = None, extra: tuple | list = (), edges: tuple | list = ()
) -> dict:
    """A dataflow graph printing one pure node's output."""
    port = port or next(
        p.id for p in NODE_TYPES[value_node["type"]].ports if p.direction == "output"
    )
    return {
        "nodes": [value_node, node("p", "print", y=100), *extra],
        "edges": [edge(value_node["id"], port, "p", "value"), *edges],
    }


def binary(type_: str, a: Any, b: Any, kind: str = "number", **params: Any) -> dict:
    return print_of(
        node("op", type_, **params),
        extra=[lit("a", a, kind), lit("b", b, kind)],
        edges=[edge("a", "value", "op", "a"), edge("b", "value", "op", "b")],
    )


GOLDEN: dict[str, list[tuple[dict, str, str]]] = {
    "on_start": [
        (
            {
                "nodes": [node("s", "on_start"), node("p", "print", 1), lit("v", "7")],
                "edges": [*chain("s", "p"), edge("v", "value", "p", "value")],
            },
            "",
            "7\n",
        )
    ],
    "print": [(print_of(lit("v", "hello", "text")), "", "hello\n")],
    "input": [
        (
            {
                "nodes": [
                    node("i", "input", prompt="n? ", cast="int"),
                    node("p", "print", 1),
                    node("m", "arithmetic", op="*"),
                    lit("two", "2"),
                ],
                "edges": [
                    edge("i", "value", "m", "a"),
                    edge("two", "value", "m", "b"),
                    edge("m", "result", "p", "value"),
                ],
            },
            "21\n",
            "n? 42\n",
        )
    ],
    "literal": [
        (print_of(lit("v", "2.5")), "", "2.5\n"),
        (print_of(lit("v", "true", "bool")), "", "True\n"),
        (print_of(lit("v", "", "none")), "", "None\n"),
    ],
    "make_list": [
        (
            print_of(
                node("l", "make_list", count=3),
                extra=[lit("a", "1"), lit("b", "x", "text")],
                edges=[edge("a", "value", "l", "item0"), edge("b", "value", "l", "item2")],
            ),
            "",
            "[1, None, 'x']\n",
        )
    ],
    "make_dict": [
        (
            print_of(
                node("d", "make_dict", keys="name, age"),
                extra=[lit("a", "Ada", "text"), lit("b", "36")],
                edges=[edge("a", "value", "d", "key:name"), edge("b", "value", "d", "key:age")],
            ),
            "",
            "{'name': 'Ada', 'age': 36}\n",
        )
    ],
    "arithmetic": [
        (binary("arithmetic", "-2", "2", op="**"), "", "4\n"),
        (binary("arithmetic", "7", "2", op="//"), "", "3\n"),
    ],
    "math": [
        (binary("math", "2", "9", op="max"), "", "9\n"),
        (binary("math", "16", "0", op="sqrt"), "", "4.0\n"),
        (
            {
                "nodes": [
                    node("r", "math", op="random"),
                    node("p", "print", 1),
                    node("c", "compare", op="<"),
                    lit("one", "1"),
                ],
                "edges": [
                    edge("r", "result", "c", "a"),
                    edge("one", "value", "c", "b"),
                    edge("c", "result", "p", "value"),
                ],
            },
            "",
            "True\n",
        ),
    ],
    "compare": [(binary("compare", "3", "4", op="<="), "", "True\n")],
    "logic": [(binary("logic", "false", "true", "bool", op="or"), "", "True\n")],
    "conditional": [
        (
            print_of(
                node("c", "conditional"),
                extra=[lit("k", "false", "bool"), lit("a", "yes", "text"), lit("b", "no", "text")],
                edges=[
                    edge("k", "value", "c", "condition"),
                    edge("a", "value", "c", "if_true"),
                    edge("b", "value", "c", "if_false"),
                ],
            ),
            "",
            "no\n",
        )
    ],
    "format_text": [
        (
            print_of(
                node("f", "format_text", template="{n} items at {price:.2f} {{ok}}"),
                extra=[lit("n", "3"), lit("pr", "1.5")],
                edges=[edge("n", "value", "f", "field:n"), edge("pr", "value", "f", "field:price")],
            ),
            "",
            "3 items at 1.50 {ok}\n",
        )
    ],
    "text_op": [
        (
            print_of(
                node("t", "text_op", op="replace"),
                extra=[lit("s", "a-b-c", "text"), lit("o", "-", "text"), lit("n", "+", "text")],
                edges=[
                    edge("s", "value", "t", "text"),
                    edge("o", "value", "t", "arg"),
                    edge("n", "value", "t", "arg2"),
                ],
            ),
            "",
            "a+b+c\n",
        )
    ],
    "convert": [
        (
            print_of(
                node("c", "convert", to="int"),
                extra=[lit("s", "42", "text")],
                edges=[edge("s", "value", "c", "value")],
            ),
            "",
            "42\n",
        )
    ],
    "get_item": [
        (
            print_of(
                node("g", "get_item"),
                extra=[node("l", "make_list", count=2), lit("v", "9"), lit("k", "-1")],
                edges=[
                    edge("v", "value", "l", "item1"),
                    edge("l", "list", "g", "collection"),
                    edge("k", "value", "g", "key"),
                ],
            ),
            "",
            "9\n",
        )
    ],
    "set_item": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("l", "make_list", count=1),
                    lit("v", "5"),
                    node("app", "set_item", 1, op="append"),
                    node("p", "print", 2),
                    node("sv", "set_variable", 0.5, name="items"),
                    node("gv", "get_variable", name="items"),
                ],
                "edges": [
                    *chain("s", "sv", "app", "p"),
                    edge("l", "list", "sv", "value"),
                    edge("gv", "value", "app", "collection"),
                    edge("v", "value", "app", "value"),
                    edge("gv", "value", "p", "value"),
                ],
            },
            "",
            "[None, 5]\n",
        )
    ],
    "collection_op": [
        (
            print_of(
                node("c", "collection_op", op="range"),
                extra=[lit("n", "3")],
                edges=[edge("n", "value", "c", "value")],
            ),
            "",
            "[0, 1, 2]\n",
        )
    ],
    "set_variable": [
        (
            {
                "nodes": [
                    node("s", "set_variable", name="total"),
                    lit("v", "9"),
                    node("p", "print", 1),
                    node("g", "get_variable", name="total"),
                ],
                "edges": [edge("v", "value", "s", "value"), edge("g", "value", "p", "value")],
            },
            "",
            "9\n",
        )
    ],
    "get_variable": [(print_of(node("g", "get_variable", name="never set")), "", "None\n")],
    "if": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("i", "if", 1),
                    lit("c", "false", "bool"),
                    node("t", "print", 2),
                    node("e", "print", 3),
                    node("after", "print", 4),
                    lit("a", "then", "text"),
                    lit("b", "else", "text"),
                    lit("d", "done", "text"),
                ],
                "edges": [
                    *chain("s", "i"),
                    edge("c", "value", "i", "condition"),
                    edge("i", "then", "t", "exec"),
                    edge("i", "else", "e", "exec"),
                    edge("i", "next", "after", "exec"),
                    edge("a", "value", "t", "value"),
                    edge("b", "value", "e", "value"),
                    edge("d", "value", "after", "value"),
                ],
            },
            "",
            "else\ndone\n",
        )
    ],
    "while": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("init", "set_variable", 1, name="n"),
                    lit("z", "0"),
                    node("w", "while", 2),
                    node("c", "compare", op="<"),
                    node("g", "get_variable", name="n"),
                    lit("three", "3"),
                    node("inc", "set_variable", 3, name="n"),
                    node("add", "arithmetic", op="+"),
                    lit("one", "1"),
                    node("p", "print", 4),
                ],
                "edges": [
                    *chain("s", "init", "w"),
                    edge("z", "value", "init", "value"),
                    edge("g", "value", "c", "a"),
                    edge("three", "value", "c", "b"),
                    edge("c", "result", "w", "condition"),
                    edge("w", "body", "inc", "exec"),
                    edge("g", "value", "add", "a"),
                    edge("one", "value", "add", "b"),
                    edge("add", "result", "inc", "value"),
                    edge("w", "next", "p", "exec"),
                    edge("g", "value", "p", "value"),
                ],
            },
            "",
            "3\n",
        )
    ],
    "for_range": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("f", "for_range", 1),
                    lit("n", "3"),
                    node("p", "print", 2),
                ],
                "edges": [
                    *chain("s", "f"),
                    edge("n", "value", "f", "stop"),
                    edge("f", "body", "p", "exec"),
                    edge("f", "index", "p", "value"),
                ],
            },
            "",
            "0\n1\n2\n",
        )
    ],
    "for_each": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("f", "for_each", 1),
                    node("sp", "text_op", op="split"),
                    lit("t", "a b", "text"),
                    node("p", "print", 2),
                ],
                "edges": [
                    *chain("s", "f"),
                    edge("t", "value", "sp", "text"),
                    edge("sp", "result", "f", "collection"),
                    edge("f", "body", "p", "exec"),
                    edge("f", "item", "p", "value"),
                ],
            },
            "",
            "a\nb\n",
        )
    ],
    "break": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("f", "for_range", 1),
                    lit("n", "5"),
                    node("p", "print", 2),
                    node("b", "break", 3),
                ],
                "edges": [
                    *chain("s", "f"),
                    edge("n", "value", "f", "stop"),
                    edge("f", "body", "p", "exec"),
                    edge("f", "index", "p", "value"),
                    *chain("p", "b"),
                ],
            },
            "",
            "0\n",
        )
    ],
    "continue": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("f", "for_range", 1),
                    lit("n", "2"),
                    node("c", "continue", 2),
                    node("p", "print", 3),
                ],
                "edges": [
                    *chain("s", "f"),
                    edge("n", "value", "f", "stop"),
                    edge("f", "body", "c", "exec"),
                    *chain("c", "p"),
                    edge("f", "next", "p", "exec"),
                    edge("f", "index", "p", "value"),
                ],
            },
            "",
            "1\n",
        )
    ],
    "try": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("t", "try", 1),
                    node("bad", "convert", to="int"),
                    lit("x", "abc", "text"),
                    node("p", "print", 2),
                    node("pe", "print", 3),
                ],
                "edges": [
                    *chain("s", "t"),
                    edge("t", "body", "p", "exec"),
                    edge("x", "value", "bad", "value"),
                    edge("bad", "result", "p", "value"),
                    edge("t", "except", "pe", "exec"),
                    edge("t", "error", "pe", "value"),
                ],
            },
            "",
            "invalid literal for int() with base 10: 'abc'\n",
        )
    ],
    "function_def": [
        (
            {
                "nodes": [
                    node("fd", "function_def", name="add", parameters="a, b"),
                    node("sum", "arithmetic"),
                    node("r", "return", 1),
                    node("s", "on_start", 2),
                    node("c", "call_function", 3, function="add", arguments="b, a"),
                    lit("x", "2"),
                    lit("y", "40"),
                    node("p", "print", 4),
                ],
                "edges": [
                    edge("fd", "body", "r", "exec"),
                    edge("fd", "arg:a", "sum", "a"),
                    edge("fd", "arg:b", "sum", "b"),
                    edge("sum", "result", "r", "value"),
                    *chain("s", "c", "p"),
                    edge("x", "value", "c", "arg:a"),
                    edge("y", "value", "c", "arg:b"),
                    edge("c", "result", "p", "value"),
                ],
            },
            "",
            "42\n",
        )
    ],
    "python_code": [
        (
            {
                "nodes": [
                    node(
                        "py",
                        "python_code",
                        code="import math\nr = math.gcd(a, b)\n",
                        inputs="a, b",
                        outputs="r",
                    ),
                    lit("a", "12"),
                    lit("b", "18"),
                    node("p", "print", 1),
                ],
                "edges": [
                    edge("a", "value", "py", "in:a"),
                    edge("b", "value", "py", "in:b"),
                    edge("py", "out:r", "p", "value"),
                ],
            },
            "",
            "6\n",
        )
    ],
    "sleep": [
        (
            {
                "nodes": [
                    node("z", "sleep"),
                    lit("t", "0.01"),
                    node("p", "print", 1),
                    lit("d", "ok", "text"),
                ],
                "edges": [edge("t", "value", "z", "seconds"), edge("d", "value", "p", "value")],
            },
            "",
            "ok\n",
        )
    ],
    # Outside the sandbox `show` is `print` (the script's stand-in for the sandbox's builtin).
    "show": [
        (
            {
                "nodes": [lit("v", "hello", "text"), node("sh", "show", 100)],
                "edges": [edge("v", "value", "sh", "value")],
            },
            "",
            "hello\n",
        ),
        (
            {
                "nodes": [
                    node("sh", "show"),
                    node("d", "make_dict", keys="name"),
                    lit("n", "Ada", "text"),
                    node("l", "make_list", count=1),
                ],
                "edges": [
                    edge("n", "value", "d", "key:name"),
                    edge("d", "dict", "l", "item0"),
                    edge("l", "list", "sh", "value"),
                ],
            },
            "",
            "[{'name': 'Ada'}]\n",
        ),
    ],
    # A figure printed by the stand-in: its repr. Needs matplotlib (skipped without it, below).
    "plot": [
        (
            {
                "nodes": [
                    node("s", "on_start"),
                    node("pl", "plot", 1, kind="bar"),
                    node("p", "print", 2),
                    node("l", "make_list", count=2),
                    lit("a", "3"),
                    lit("b", "5"),
                    lit("done", "drawn", "text"),
                ],
                "edges": [
                    *chain("s", "pl", "p"),
                    edge("a", "value", "l", "item0"),
                    edge("b", "value", "l", "item1"),
                    edge("l", "list", "pl", "y"),
                    edge("done", "value", "p", "value"),
                ],
            },
            "",
            "Figure(640x480)\ndrawn\n",
        )
    ],
    "comment": [
        (
            {
                "nodes": [
                    node("c", "comment", text="print('no')"),
                    node("p", "print", 1),
                    lit("d", "1"),
                ],
                "edges": [edge("d", "value", "p", "value")],
            },
            "",
            "1\n",
        )
    ],
}
# A graph used as a node: a copy of it travels in the document's `snapshots` (the golden runs
# read graphs from there, as an exported document compiles anywhere).
ADD_NUMBERS = {
    "name": "Add numbers",
    "nodes": [
        node("start", "on_start"),
        node("a", "graph_input", 10, name="a", type="number"),
        {
            **node("b", "graph_input", 20, name="b", type="number"),
            "data": {"params": {"name": "b", "type": "number"}, "inputs": {"default": 2}},
        },
        node("plus", "arithmetic", 30, op="+"),
        node("out", "graph_output", 40, name="sum", type="number"),
    ],
    "edges": [
        edge("start", "next", "out", "exec"),
        edge("a", "value", "plus", "a"),
        edge("b", "value", "plus", "b"),
        edge("plus", "result", "out", "value"),
    ],
}
GOLDEN["graph_input"] = [
    (
        print_of(
            {
                **node("n", "graph_input", name="n", type="int"),
                "data": {"params": {"name": "n", "type": "int"}, "inputs": {"default": 5}},
            }
        ),
        "",
        "5\n",
    )
]
GOLDEN["graph_output"] = [
    (
        {
            "nodes": [
                node("start", "on_start"),
                node("out", "graph_output", 10, name="r"),
                lit("v", "3"),
                node("p", "print", 20),
                lit("done", "done", "text"),
            ],
            "edges": [
                *chain("start", "out", "p"),
                edge("v", "value", "out", "value"),
                edge("done", "value", "p", "value"),
            ],
        },
        "",
        "done\n",  # run alone, the script drops its outputs
    )
]
GOLDEN["graph"] = [
    (
        {
            "nodes": [
                node("start", "on_start"),
                {
                    **node("g", "graph", 10, graph_id=7, version=2),
                    "data": {"params": {"graph_id": 7, "version": 2}, "inputs": {"in:a": 40}},
                },
                node("p", "print", 20),
            ],
            "edges": [*chain("start", "g", "p"), edge("g", "out:sum", "p", "value")],
            "snapshots": {"7@2": ADD_NUMBERS},
        },
        "",
        "42\n",
    )
]
GOLDEN["return"] = GOLDEN["function_def"]
GOLDEN["call_function"] = GOLDEN["function_def"]

CASES = [
    pytest.param(graph, stdin, expected, id=f"{type_}-{i}")
    for type_, cases in GOLDEN.items()
    for i, (graph, stdin, expected) in enumerate(cases)
]

# Plot's script imports matplotlib: its cases run only where the interpreter has it, drawing with
# the Agg backend (the sandbox's; the cases' subprocesses inherit the variable).
os.environ.setdefault("MPLBACKEND", "Agg")
_NEEDS_MATPLOTLIB = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed"
)
CASES = [
    pytest.param(*case.values, id=case.id, marks=_NEEDS_MATPLOTLIB)
    if str(case.id).startswith("plot-")
    else case
    for case in CASES
]


def test_every_node_type_has_a_golden_case() -> None:
    assert set(NODE_TYPES) <= set(GOLDEN)


@pytest.mark.parametrize(("graph", "stdin", "expected"), CASES)
def test_golden(graph: dict, stdin: str, expected: str) -> None:
    assert run(graph, stdin) == expected


def test_same_graph_gives_byte_identical_code() -> None:
    graph = GOLDEN["while"][0][0]
    assert compile_graph(graph).code == compile_graph(graph).code


def test_dataflow_order_follows_data_then_canvas() -> None:
    graph = {
        "nodes": [
            node("late", "print", y=50),
            node("early", "print", y=-50),
            lit("a", "first", "text"),
            lit("b", "second", "text"),
        ],
        "edges": [edge("a", "value", "early", "value"), edge("b", "value", "late", "value")],
    }
    assert run(graph) == "first\nsecond\n"


def test_on_start_chains_run_in_canvas_order() -> None:
    graph = {
        "nodes": [
            node("s2", "on_start", y=10),
            node("p2", "print", y=11),
            node("s1", "on_start", y=0),
            node("p1", "print", y=1),
            lit("a", "one", "text"),
            lit("b", "two", "text"),
        ],
        "edges": [
            *chain("s2", "p2"),
            *chain("s1", "p1"),
            edge("a", "value", "p1", "value"),
            edge("b", "value", "p2", "value"),
        ],
    }
    assert run(graph) == "one\ntwo\n"


def test_source_map_points_a_traceback_line_at_its_node() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("p", "print", 1),
            node("div", "arithmetic", op="/"),
            lit("one", "1"),
            lit("zero", "0"),
        ],
        "edges": [
            *chain("s", "p"),
            edge("one", "value", "div", "a"),
            edge("zero", "value", "div", "b"),
            edge("div", "result", "p", "value"),
        ],
    }
    result = compile_graph(graph)
    completed = subprocess.run(
        [sys.executable, "-I", "-c", result.code],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "ZeroDivisionError" in completed.stderr
    line = int(completed.stderr.split("line ")[-1].split(",")[0].split("\n")[0])
    assert result.source_map[line] == "p"
    assert result.to_dict()["source_map"][str(line)] == "p"
