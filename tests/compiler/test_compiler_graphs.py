"""Graphs as functions: the signature, Graph input / Graph output, and `graph` nodes compiled to
functions (docs/catalogue.md, "Graphs as functions"). The scripts run in-process here with a
small `_ne_inputs` and a recording `_ne_output`, standing in for the runner."""

from __future__ import annotations

import ast
from typing import Any

from graphs.compiler import compile_graph
from graphs.compiler.linking import MAX_GRAPH_DEPTH
from tests.compiler.test_compiler_golden import chain, edge, lit, node


def graph_input(node_id: str, name: Any, y: float = 0, type_: str = "any", **pins: Any) -> dict:
    data: dict[str, Any] = {"params": {"name": name, "type": type_, "description": "d " + node_id}}
    if pins:
        data["inputs"] = pins
    return {"id": node_id, "type": "graph_input", "position": {"x": 0, "y": y}, "data": data}


def graph_output(node_id: str, name: Any, y: float = 0, type_: str = "any") -> dict:
    return node(node_id, "graph_output", y, name=name, type=type_)


def graph_node(node_id: str, graph_id: int, version: int, y: float = 0, **pins: Any) -> dict:
    data: dict[str, Any] = {"params": {"graph_id": graph_id, "version": version}}
    if pins:
        data["inputs"] = pins
    return {"id": node_id, "type": "graph", "position": {"x": 0, "y": y}, "data": data}


def arithmetic(node_id: str, op: str, y: float = 0) -> dict:
    return node(node_id, "arithmetic", y, op=op)


def binary_graph(name: str, op: str, default_b: Any = None) -> dict:
    """Graph inputs a and b (b optional when it has a default), output `result` = a <op> b."""
    pins = {} if default_b is None else {"default": default_b}
    return {
        "name": name,
        "nodes": [
            node("start", "on_start"),
            graph_input("a", "a", 10, "number"),
            graph_input("b", "b", 20, "number", **pins),
            arithmetic("op", op, 30),
            graph_output("out", "result", 40, "number"),
        ],
        "edges": [
            *chain("start", "out"),
            edge("a", "value", "op", "a"),
            edge("b", "value", "op", "b"),
            edge("op", "result", "out", "value"),
        ],
    }


def library(**documents: dict) -> Any:
    """A resolver over {"<id>@<version>": document}, counting what it is asked."""
    asked: list[tuple[int, int]] = []

    def resolve(graph_id: int, version: int) -> dict | None:
        asked.append((graph_id, version))
        return documents.get(f"g{graph_id}v{version}")

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def execute(code: str, inputs: dict | None = None) -> tuple[dict, list[str]]:
    """Runs a script as the runner would: `_ne_inputs` given, `_ne_output` recording (last
    value wins). Returns the outputs and what it printed."""
    outputs: dict[str, Any] = {}
    printed: list[str] = []
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "_ne_output": outputs.__setitem__,
        "print": lambda *values: printed.append(" ".join(map(str, values))),
    }
    if inputs is not None:
        namespace["_ne_inputs"] = inputs
    exec(compile(code, "main.py", "exec", dont_inherit=True), namespace)
    return outputs, printed


def errors_of(result: Any) -> list[tuple[str, str | None]]:
    return [(d.code, d.node_id) for d in result.diagnostics if d.severity == "error"]


# --- the signature


def test_a_graph_without_inputs_or_outputs_has_an_empty_signature() -> None:
    result = compile_graph({"nodes": [node("p", "print")], "edges": []})
    assert result.signature == {"inputs": [], "outputs": []}
    assert result.to_dict()["signature"] == {"inputs": [], "outputs": []}


def test_signature_lists_inputs_and_outputs_in_canvas_order() -> None:
    graph = {
        "nodes": [
            graph_output("o2", "second", 50),
            graph_input("i2", "count", 30, "int", default=3),
            graph_input("i1", "text", 10, "text"),
            graph_output("o1", "first", 40, "text"),
            node("start", "on_start"),
        ],
        "edges": chain("start", "o1", "o2"),
    }
    result = compile_graph(graph)
    assert result.signature == {
        "inputs": [
            {"name": "text", "type": "text", "required": True, "default": None,
             "description": "d i1"},
            {"name": "count", "type": "int", "required": False, "default": 3,
             "description": "d i2"},
        ],
        "outputs": [{"name": "first", "type": "text"}, {"name": "second", "type": "any"}],
    }  # fmt: skip


def test_wrong_names_are_errors_on_their_nodes_and_left_out() -> None:
    graph = {
        "nodes": [
            graph_input("ok", "x", 0),
            graph_input("again", "x", 10),
            graph_input("digit", "1x", 20),
            graph_input("keyword", "class", 30),
            graph_input("blank", "  ", 40),
            graph_output("out", "x", 50),  # an output may share an input's name
            graph_output("out2", "x", 60),
            graph_output("space", "a b", 70),
        ],
        "edges": [],
    }
    result = compile_graph(graph)
    assert sorted(errors_of(result)) == sorted(
        [
            ("duplicate_name", "again"),
            ("invalid_name", "digit"),
            ("invalid_name", "keyword"),
            ("invalid_name", "blank"),
            ("duplicate_name", "out2"),
            ("invalid_name", "space"),
        ]
    )
    assert all(d.port == "name" for d in result.diagnostics if d.severity == "error")
    assert [i["name"] for i in result.signature["inputs"]] == ["x"]
    assert [o["name"] for o in result.signature["outputs"]] == ["x"]


def test_a_type_outside_the_data_types_is_a_warning_and_any() -> None:
    result = compile_graph({"nodes": [graph_input("i", "x", type_="tensor")], "edges": []})
    assert ("invalid_param", "i") in [(d.code, d.node_id) for d in result.diagnostics]
    assert result.signature["inputs"][0]["type"] == "any"


def test_a_default_that_does_not_fit_the_type_is_an_error() -> None:
    result = compile_graph({"nodes": [graph_input("i", "n", 0, "int", default="x")], "edges": []})
    assert ("invalid_default", "i") in errors_of(result)


# --- the script's inputs and outputs


def test_inputs_apply_defaults_and_outputs_record_the_last_value() -> None:
    graph = binary_graph("add", "+", default_b=2)
    loop = node("loop", "for_range", 45)
    graph["nodes"] += [loop, graph_output("last", "last", 50)]
    graph["edges"] += [
        edge("out", "next", "loop", "exec"),
        edge("loop", "body", "last", "exec"),
        edge("loop", "index", "last", "value"),
    ]
    result = compile_graph(graph)
    assert not errors_of(result), result.diagnostics
    assert execute(result.code, {"a": 40})[0] == {"result": 42, "last": 9}
    assert execute(result.code, {"a": 1, "b": 10})[0] == {"result": 11, "last": 9}


def test_run_alone_the_script_still_runs() -> None:
    graph = binary_graph("add", "+", default_b=2)
    graph["nodes"][1] = graph_input("a", "a", 10, "number", default=1)
    code = compile_graph(graph).code
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(code, "main.py", "exec"), namespace)  # no runner: no inputs, outputs dropped
    assert namespace["_ne_inputs"] == {}


def test_input_values_stay_data() -> None:
    graph = {
        "nodes": [graph_input("i", "x", 0, "text"), node("p", "print", 10)],
        "edges": [edge("i", "value", "p", "value")],
    }
    hostile = "__import__('os').system('echo pwned'); {x}\"'"
    assert execute(compile_graph(graph).code, {"x": hostile})[1] == [hostile]


def test_a_name_that_is_a_builtin_gets_a_safe_variable() -> None:
    graph = {
        "nodes": [graph_input("i", "print", 0), node("p", "print", 10)],
        "edges": [edge("i", "value", "p", "value")],
    }
    result = compile_graph(graph)
    assert not errors_of(result)
    assert execute(result.code, {"print": "shadow?"})[1] == ["shadow?"]


# --- graphs used as nodes


def test_a_graph_node_has_the_ports_of_the_signature() -> None:
    resolve = library(g5v1=binary_graph("Add", "+", default_b=2))
    graph = {
        "nodes": [node("start", "on_start"), graph_node("g", 5, 1, 10), node("p", "print", 20)],
        "edges": [*chain("start", "g", "p"), edge("g", "out:result", "p", "value")],
    }
    result = compile_graph(graph, graphs=resolve)
    # `in:a` is required and has no value: the usual missing_input error on the node.
    assert ("missing_input", "g") in errors_of(result)
    graph["nodes"][1] = graph_node("g", 5, 1, 10, **{"in:a": 5})
    result = compile_graph(graph, graphs=resolve)
    assert not errors_of(result), result.diagnostics
    assert execute(result.code)[1] == ["7"]


def test_a_graph_used_three_levels_deep_computes_the_right_value() -> None:
    """top: (x + 1) via level 1; level 1: twice(level 2(x)) ; level 2: x * 10 (b defaulted)."""
    level3 = binary_graph("times", "*", default_b=10)
    level2 = {
        "name": "times then add",
        "nodes": [
            node("start", "on_start"),
            graph_input("x", "x", 10, "number"),
            graph_node("t", 3, 4, 20),
            graph_node("plus", 4, 1, 30),  # the graph of level 1 at another version: fine
            graph_output("out", "y", 40),
        ],
        "edges": [
            *chain("start", "t", "plus", "out"),
            edge("x", "value", "t", "in:a"),
            edge("t", "out:result", "plus", "in:a"),
            edge("x", "value", "plus", "in:b"),
            edge("plus", "out:result", "out", "value"),
        ],
    }
    level1 = {
        "name": "level one",
        "nodes": [
            node("start", "on_start"),
            graph_input("x", "x", 10, "number"),
            graph_node("l2", 2, 7, 20),
            graph_output("out", "z", 30),
        ],
        "edges": [
            *chain("start", "l2", "out"),
            edge("x", "value", "l2", "in:x"),
            edge("l2", "out:y", "out", "value"),
        ],
    }
    top = {
        "nodes": [
            node("start", "on_start"),
            graph_input("n", "n", 10, "number"),
            graph_node("l1", 1, 2, 20),
            graph_output("answer", "answer", 30),
        ],
        "edges": [
            *chain("start", "l1", "answer"),
            edge("n", "value", "l1", "in:x"),
            edge("l1", "out:z", "answer", "value"),
        ],
    }
    resolve = library(g1v2=level1, g2v7=level2, g3v4=level3, g4v1=binary_graph("add", "+"))
    result = compile_graph(top, graphs=resolve, graph_id=99)
    assert not errors_of(result), result.diagnostics
    # n=4: level 3 gives 40, level 2 adds x: 44, level 1 passes it on.
    assert execute(result.code, {"n": 4})[0] == {"answer": 44}
    tree = ast.parse(result.code)
    defined = [d.name for d in tree.body if isinstance(d, ast.FunctionDef)]
    assert len(defined) == len(set(defined)) == 4  # one function per (graph, version)
    assert defined.index("level_one") > defined.index("times_then_add") > defined.index("times")


def test_each_graph_version_is_emitted_once_and_read_once() -> None:
    resolve = library(g5v1=binary_graph("add", "+"))
    nodes = [node("start", "on_start")]
    edges = []
    previous = "start"
    for i in range(50):
        nodes.append(graph_node(f"g{i}", 5, 1, 10 + i, **{"in:b": 1}))
        edges.append(edge(previous, "next", f"g{i}", "exec"))
        edges.append(edge(previous if i else "seed", "out:result" if i else "value",
                          f"g{i}", "in:a"))  # fmt: skip
        previous = f"g{i}"
    nodes += [lit("seed", "0"), node("p", "print", 100)]
    edges += [edge(previous, "next", "p", "exec"), edge(previous, "out:result", "p", "value")]
    result = compile_graph({"nodes": nodes, "edges": edges}, graphs=resolve)
    assert not errors_of(result), result.diagnostics
    assert resolve.asked == [(5, 1)]
    assert result.code.count("def add(") == 1
    assert execute(result.code)[1] == ["50"]


def test_a_cycle_through_two_graphs_is_a_diagnostic_not_a_hang() -> None:
    def user_of(graph_id: int, name: str) -> dict:
        return {
            "name": name,
            "nodes": [node("start", "on_start"), graph_node("use", graph_id, 1, 10)],
            "edges": chain("start", "use"),
        }

    resolve = library(g1v1=user_of(2, "ping"), g2v1=user_of(1, "pong"))
    top = {"nodes": [node("start", "on_start"), graph_node("g", 1, 1, 10)], "edges": []}
    top["edges"] = chain("start", "g")
    result = compile_graph(top, graphs=resolve)
    assert errors_of(result) == [("graph_cycle", "g")]
    message = result.diagnostics[0].message
    assert "'ping'" in message and "'pong'" in message
    # A saved graph used inside itself directly: found at once, by its id.
    itself = compile_graph(user_of(1, "ping"), graphs=resolve, graph_id=1)
    assert errors_of(itself) == [("graph_cycle", "use")]


def test_unreadable_and_unset_graphs_are_errors_naming_the_graph() -> None:
    top = {
        "nodes": [
            node("start", "on_start"),
            graph_node("gone", 12, 3, 10),
            graph_node("unset", 0, 0, 20),
        ],
        "edges": chain("start", "gone", "unset"),
    }
    result = compile_graph(top, graphs=library())
    assert sorted(errors_of(result)) == [("graph_not_set", "unset"), ("graph_unreadable", "gone")]
    assert "Graph 12 (version 3)" in next(
        d.message for d in result.diagnostics if d.node_id == "gone"
    )
    # Without a resolver no graph can be read.
    assert ("graph_unreadable", "gone") in errors_of(compile_graph(top))


def test_an_error_inside_a_used_graph_is_an_error_on_the_node() -> None:
    broken = {"name": "broken", "nodes": [node("x", "nope")], "edges": []}
    top = {"nodes": [node("start", "on_start"), graph_node("g", 1, 1, 10)], "edges": []}
    top["edges"] = chain("start", "g")
    result = compile_graph(top, graphs=library(g1v1=broken))
    assert errors_of(result) == [("graph_error", "g")]
    assert "'broken'" in result.diagnostics[0].message


def test_depth_is_limited() -> None:
    documents = {
        f"g{i}v1": {
            "name": f"level {i}",
            "nodes": [node("start", "on_start"), graph_node("next", i + 1, 1, 10)],
            "edges": chain("start", "next"),
        }
        for i in range(1, MAX_GRAPH_DEPTH + 5)
    }
    top = {"nodes": [node("start", "on_start"), graph_node("g", 1, 1, 10)], "edges": []}
    top["edges"] = chain("start", "g")
    result = compile_graph(top, graphs=library(**documents))
    assert errors_of(result) == [("graph_too_deep", "g")]


def test_a_used_graph_keeps_its_state_to_itself() -> None:
    """Variables, functions and shared chains of the used graph live in its function: the
    script's own variable of the same name is untouched, and each call starts afresh."""
    counter = {
        "name": "counter",
        "nodes": [
            node("start", "on_start"),
            node("set", "set_variable", 10, name="total"),
            lit("zero", "0"),
            node("fn", "function_def", 20, name="bump", parameters="by"),
            node("get", "get_variable", 25, name="total"),
            arithmetic("plus", "+", 26),
            node("inc", "set_variable", 30, name="total"),
            node("call1", "call_function", 40, function="bump", arguments="by"),
            node("call2", "call_function", 50, function="bump", arguments="by"),
            lit("five", "5"),
            node("get2", "get_variable", 55, name="total"),
            graph_output("out", "total", 60),
        ],
        "edges": [
            *chain("start", "set", "call1", "call2", "out"),
            edge("zero", "value", "set", "value"),
            edge("fn", "body", "inc", "exec"),
            edge("get", "value", "plus", "a"),
            edge("fn", "arg:by", "plus", "b"),
            edge("plus", "result", "inc", "value"),
            edge("five", "value", "call1", "arg:by"),
            edge("five", "value", "call2", "arg:by"),
            edge("get2", "value", "out", "value"),
        ],
    }
    top = {
        "nodes": [
            node("start", "on_start"),
            node("set", "set_variable", 5, name="total"),
            lit("v", "1"),
            graph_node("a", 8, 1, 10),
            graph_node("b", 8, 1, 20),
            node("p", "print", 30),
            node("get", "get_variable", 35, name="total"),
            node("q", "print", 40),
        ],
        "edges": [
            *chain("start", "set", "a", "b", "p", "q"),
            edge("v", "value", "set", "value"),
            edge("b", "out:total", "p", "value"),
            edge("get", "value", "q", "value"),
        ],
    }
    result = compile_graph(top, graphs=library(g8v1=counter))
    assert not errors_of(result), (result.diagnostics, result.code)
    assert "nonlocal" in result.code
    assert execute(result.code)[1] == ["10", "1"]


def test_a_debug_compile_never_stops_inside_a_used_graph() -> None:
    resolve = library(g5v1=binary_graph("add", "+", default_b=2))
    graph = {
        "nodes": [
            node("start", "on_start"),
            graph_node("g", 5, 1, 10, **{"in:a": 1}),
            node("p", "print", 20),
        ],
        "edges": [*chain("start", "g", "p"), edge("g", "out:result", "p", "value")],
    }
    plain = compile_graph(graph, graphs=resolve)
    debug = compile_graph(graph, debug=True, graphs=resolve)
    assert debug.debug is not None and plain.diagnostics == debug.diagnostics
    assert set(debug.debug.nodes) <= {"start", "g", "p"}
    assert set(plain.source_map.values()) <= {"start", "g", "p"}
