"""Library nodes in the compiler (graphs/compiler/library.py; docs/catalogue.md, "Library
nodes"): each (entry, version) emitted once as its own function, called where its nodes are,
statement or pure, with pins, Literal selects and tuple outputs; errors that never show the code.
The scripts run in-process here (tests/compiler/test_compiler_graphs.py's `execute`)."""

from __future__ import annotations

import ast
from typing import Any

from graphs.compiler import compile_graph, library_snapshots_resolver
from tests.compiler.test_compiler_golden import chain, edge, node
from tests.compiler.test_compiler_graphs import errors_of, execute, graph_node, graph_output

SCALE = '''import math
from typing import Literal
_FACTOR = 10


def _times(x, k):
    return x * k


def scale(x: float, k: int = 2, mode: Literal["up", "down"] = "up") -> float:
    """Scale x by k."""
    return _times(x, k) if mode == "up" else x / k
'''
SPLIT = """from typing import NamedTuple


class Parts(NamedTuple):
    head: str
    rest: str


def split(text: str) -> Parts:
    return Parts(text[:1], text[1:])
"""
PURE_SQUARE = "def square(x: int) -> int:  # node: pure\n    print('computed')\n    return x * x\n"


def lib(
    node_id: str,
    entry_id: int,
    version: int = 1,
    y: float = 0,
    pins: Any = None,
    select: dict[str, str] | None = None,
) -> dict:
    data: dict[str, Any] = {"params": {"version": version, **(select or {})}}
    if pins is not None:
        data["inputs"] = pins
    return {"id": node_id, "type": f"lib:{entry_id}", "position": {"x": 0, "y": y}, "data": data}


def entries(**codes: str) -> dict[str, dict]:
    """{"lib:<id>@<version>": entry} from keyword `e<id>v<version>=code`."""
    found = {}
    for key, code in codes.items():
        entry_id, version = key[1:].split("v")
        found[f"lib:{entry_id}@{version}"] = {"name": key, "code": code, "description": ""}
    return found


def compiled(graph: dict) -> Any:
    return compile_graph(graph, library=library_snapshots_resolver(graph))


def printing(source: str, port: str, y: float = 50) -> tuple[dict, list[dict]]:
    return node("p", "print", y), [edge(source, port, "p", "value")]


def test_a_statement_library_node_computes_its_value() -> None:
    printer, wires = printing("a", "result")
    graph = {
        "nodes": [node("s", "on_start"), lib("a", 3, pins={"in:x": 4}), printer],
        "edges": [*chain("s", "a", "p"), *wires],
        "snapshots": entries(e3v1=SCALE),
    }
    result = compiled(graph)
    assert errors_of(result) == []
    assert execute(result.code)[1] == ["8"]
    # k left open: the function's default applies; a Literal is always passed (its select).
    assert "scale(x=4, mode='up')" in result.code


def test_literal_select_and_typed_pins_are_passed_by_name() -> None:
    printer, wires = printing("a", "result")
    graph = {
        "nodes": [
            node("s", "on_start"),
            lib("a", 3, pins={"in:x": 9, "in:k": 3}, select={"arg:mode": "down"}),
            printer,
        ],
        "edges": [*chain("s", "a", "p"), *wires],
        "snapshots": entries(e3v1=SCALE),
    }
    result = compiled(graph)
    assert "scale(x=9, k=3, mode='down')" in result.code
    assert execute(result.code)[1] == ["3.0"]


def test_a_pin_value_that_does_not_fit_is_dropped_with_a_warning() -> None:
    graph = {
        "nodes": [node("s", "on_start"), lib("a", 3, pins={"in:x": "nine", "in:k": 2.5})],
        "edges": chain("s", "a"),
        "snapshots": entries(e3v1=SCALE),
    }
    result = compiled(graph)
    found = {(d.severity, d.code, d.port) for d in result.diagnostics}
    assert found == {
        ("warning", "invalid_input_value", "in:k"),  # 2.5 is not an int
        ("warning", "invalid_input_value", "in:x"),  # text is not a float
        ("error", "missing_input", "in:x"),  # so x, required, has no value
    }


def test_a_required_pin_left_open_is_an_error() -> None:
    graph = {
        "nodes": [node("s", "on_start"), lib("a", 3)],
        "edges": chain("s", "a"),
        "snapshots": entries(e3v1=SCALE),
    }
    result = compiled(graph)
    assert ("missing_input", "a") in errors_of(result)


def test_tuple_outputs_are_read_by_index() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            lib("a", 4, pins={"in:text": "hello"}),
            node("p", "print", 50),
            node("q", "print", 60),
        ],
        "edges": [
            *chain("s", "a", "p", "q"),
            edge("a", "out:rest", "p", "value"),
            edge("a", "out:head", "q", "value"),
        ],
        "snapshots": entries(e4v1=SPLIT),
    }
    result = compiled(graph)
    assert errors_of(result) == []
    assert execute(result.code)[1] == ["ello", "h"]


def test_a_pure_node_is_evaluated_where_its_value_is_needed() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            lib("sq", 5, pins={"in:x": 3}),
            node("p", "print", 50),
            node("q", "print", 60),
        ],
        "edges": [
            *chain("s", "p", "q"),
            edge("sq", "result", "p", "value"),
            edge("sq", "result", "q", "value"),
        ],
        "snapshots": entries(e5v1=PURE_SQUARE),
    }
    result = compiled(graph)
    assert errors_of(result) == []
    # Its side effect happens each time its value is needed (docs/catalogue.md warns).
    assert execute(result.code)[1] == ["computed", "9", "computed", "9"]


def test_each_entry_version_is_emitted_once_under_a_safe_unique_name() -> None:
    clash = "def print(x: int) -> int:\n    return x + 1\n"
    graph = {
        "nodes": [
            node("s", "on_start"),
            lib("a", 3, pins={"in:x": 1}, y=10),
            lib("b", 3, pins={"in:x": 2}, y=20),
            lib("c", 6, pins={"in:x": 5}, y=30),
            lib("d", 7, pins={"in:x": 5}, y=40),
            node("p", "print", 50),
        ],
        "edges": [*chain("s", "a", "b", "c", "d", "p"), edge("d", "result", "p", "value")],
        "snapshots": entries(e3v1=SCALE, e6v1=clash, e7v1=clash.replace("+ 1", "+ 2")),
    }
    result = compiled(graph)
    assert errors_of(result) == []
    tree = ast.parse(result.code)
    defs = [s.name for s in tree.body if isinstance(s, ast.FunctionDef)]
    assert defs == ["scale", "print_", "print__2"]
    assert execute(result.code)[1] == ["7"]


def test_the_code_keeps_its_own_world() -> None:
    code = (
        "_count = 0\n"
        "def counter() -> int:\n"
        "    global _count\n"
        "    _count += 1\n"
        "    return _count\n"
        "if __name__ == '__main__':\n"
        "    print('module test block')\n"
    )
    graph = {
        "nodes": [
            node("s", "on_start"),
            lib("a", 8, y=10),
            lib("b", 8, y=20),
            node("p", "print", 50),
        ],
        "edges": [*chain("s", "a", "b", "p"), edge("b", "result", "p", "value")],
        "snapshots": entries(e8v1=code),
    }
    result = compiled(graph)
    assert errors_of(result) == []
    assert execute(result.code)[1] == ["2"]


def test_runtime_error_lines_map_to_the_node() -> None:
    code = "def boom(x: int) -> int:\n    return 1 // x\n"
    graph = {
        "nodes": [node("s", "on_start"), lib("a", 9, pins={"in:x": 0})],
        "edges": chain("s", "a"),
        "snapshots": entries(e9v1=code),
    }
    result = compiled(graph)
    line = next(i for i, text in enumerate(result.code.splitlines(), 1) if "1 // x" in text)
    assert result.source_map[line] == "a"


def test_an_entry_nobody_gave_you_is_an_error_that_shows_no_code() -> None:
    graph = {
        "nodes": [node("s", "on_start"), lib("a", 3, pins={"in:x": 1})],
        "edges": chain("s", "a"),
    }
    result = compiled(graph)
    assert errors_of(result) == [("library_unreadable", "a")]
    assert result.code == "" or "scale" not in result.code
    assert "_times" not in str(result.to_dict())


def test_bad_code_and_a_missing_version_are_errors_on_the_node() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            lib("a", 3, version=1),
            lib("b", 3, version=0, y=10),
            {"id": "c", "type": "lib:zz", "position": {"x": 0, "y": 0}, "data": {}},
        ],
        "edges": chain("s", "a", "b"),
        "snapshots": {"lib:3@1": {"code": "def f(*a):\n    pass\n"}},
    }
    assert sorted(errors_of(compiled(graph))) == [
        ("library_error", "a"),
        ("library_not_set", "b"),
        ("unknown_node_type", "c"),
    ]


def test_a_graph_used_as_a_node_may_use_library_nodes() -> None:
    inner = {
        "name": "inner",
        "nodes": [
            node("start", "on_start"),
            lib("l", 3, pins={"in:x": 5}, y=10),
            graph_output("o", "value", 20),
        ],
        "edges": [*chain("start", "l", "o"), edge("l", "result", "o", "value")],
    }
    graph = {
        "nodes": [node("s", "on_start"), graph_node("g", 1, 1, 10), node("p", "print", 20)],
        "edges": [*chain("s", "g", "p"), edge("g", "out:value", "p", "value")],
        "snapshots": entries(e3v1=SCALE),
    }
    result = compile_graph(
        graph,
        graphs=lambda graph_id, version: inner if (graph_id, version) == (1, 1) else None,
        library=library_snapshots_resolver(graph),
    )
    assert errors_of(result) == []
    assert execute(result.code)[1] == ["10"]
    line = next(i for i, text in enumerate(result.code.splitlines(), 1) if "_times(x, k)" in text)
    assert result.source_map[line] == "g"  # the node of the compiled graph that uses it


def test_a_debug_compile_of_library_nodes_is_valid() -> None:
    graph = {
        "nodes": [node("s", "on_start"), lib("a", 3, pins={"in:x": 4}), node("p", "print", 50)],
        "edges": [*chain("s", "a", "p"), edge("a", "result", "p", "value")],
        "snapshots": entries(e3v1=SCALE),
    }
    result = compile_graph(graph, debug=True, library=library_snapshots_resolver(graph))
    assert errors_of(result) == []
    compile(result.code, "main.py", "exec")
