"""What a graph means (docs/catalogue.md, "Graph semantics"): each rule runs the generated script
and compares what it prints with what the graph shows."""

from __future__ import annotations

from typing import Any

from graphs.compiler import compile_graph
from tests.compiler.test_compiler_golden import chain, edge, lit, node, run


def codes(graph: dict) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for d in compile_graph(graph).diagnostics:
        found.setdefault(d.code, set()).add(d.node_id)
    return found


def say(node_id: str, text: str, y: float = 0, x: float = 0) -> list[dict]:
    """A Print node with its text typed on the pin."""
    printer = node(node_id, "print", y, x)
    printer["data"]["inputs"] = {"value": text}
    return [printer]


def type_on(graph: dict, node_id: str, **values: Any) -> None:
    """Types values on a node's pins (`data.inputs`)."""
    target = next(n for n in graph["nodes"] if n["id"] == node_id)
    target["data"].setdefault("inputs", {}).update(values)


def if_graph(condition: Any) -> dict:
    """On Start -> If: then -> 'A' -> done, else -> 'B' -> done; If.next -> 'end'."""
    return {
        "nodes": [
            node("s", "on_start"),
            lit("c", condition, "bool"),
            node("if", "if", 1),
            *say("a", "A", 2),
            *say("b", "B", 2, 200),
            *say("done", "done", 3),
            *say("end", "end", 4),
        ],
        "edges": [
            *chain("s", "if"),
            edge("c", "value", "if", "condition"),
            edge("if", "then", "a", "exec"),
            edge("if", "else", "b", "exec"),
            edge("a", "next", "done", "exec"),
            edge("b", "next", "done", "exec"),
            edge("if", "next", "end", "exec"),
        ],
    }


# -- 1. exec joins


def test_a_node_wired_from_both_branches_runs_after_either() -> None:
    assert run(if_graph("true")) == "A\ndone\nend\n"
    assert run(if_graph("false")) == "B\ndone\nend\n"


def test_a_join_is_placed_once_after_the_if_without_a_warning() -> None:
    result = compile_graph(if_graph("true"))
    assert result.code.count("print('done')") == 1
    assert "def " not in result.code
    assert result.diagnostics == []
    lines = result.code.splitlines()
    assert lines.index("print('done')") < lines.index("print('end')")
    assert not lines[lines.index("print('done')")].startswith(" ")


def test_nested_branches_that_all_end_at_one_node_join_after_the_outer_if() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("outer", "if", 1),
            node("inner", "if", 2),
            node("in", "input", 0, cast="int"),
            node("big", "compare", op=">"),
            node("neg", "compare", op="<"),
            *say("x", "big", 3),
            *say("y", "small", 3),
            *say("z", "negative", 3),
            *say("done", "done", 4),
        ],
        "edges": [
            *chain("s", "in", "outer"),
            edge("in", "value", "neg", "a"),
            edge("in", "value", "big", "a"),
            edge("neg", "result", "outer", "condition"),
            edge("big", "result", "inner", "condition"),
            edge("outer", "then", "z", "exec"),
            edge("outer", "else", "inner", "exec"),
            edge("inner", "then", "x", "exec"),
            edge("inner", "else", "y", "exec"),
            edge("x", "next", "done", "exec"),
            edge("y", "next", "done", "exec"),
            edge("z", "next", "done", "exec"),
        ],
    }
    type_on(graph, "big", b=10)
    type_on(graph, "neg", b=0)
    assert run(graph, "50\n") == "big\ndone\n"
    assert run(graph, "5\n") == "small\ndone\n"
    assert run(graph, "-5\n") == "negative\ndone\n"
    assert compile_graph(graph).code.count("print('done')") == 1


def loop_with_shared_break() -> dict:
    """For each item: negative -> 'negative' -> Break; over 100 -> 'huge' -> the same Break."""
    return {
        "nodes": [
            node("s", "on_start"),
            node("list", "make_list", count=4),
            node("loop", "for_each", 1),
            node("if1", "if", 2),
            node("if2", "if", 3),
            node("neg", "compare", op="<"),
            node("huge", "compare", op=">"),
            *say("pn", "negative", 4),
            *say("ph", "huge", 4),
            node("show", "print", 4),
            node("brk", "break", 5),
            *say("after", "after", 6),
        ],
        "edges": [
            *chain("s", "loop"),
            edge("list", "list", "loop", "collection"),
            edge("loop", "body", "if1", "exec"),
            edge("loop", "item", "neg", "a"),
            edge("loop", "item", "huge", "a"),
            edge("loop", "item", "show", "value"),
            edge("neg", "result", "if1", "condition"),
            edge("huge", "result", "if2", "condition"),
            edge("if1", "then", "pn", "exec"),
            edge("if1", "else", "if2", "exec"),
            edge("if2", "then", "ph", "exec"),
            edge("if2", "else", "show", "exec"),
            edge("pn", "next", "brk", "exec"),
            edge("ph", "next", "brk", "exec"),
            edge("loop", "next", "after", "exec"),
        ],
    }


def with_items(graph: dict, *items: int) -> dict:
    nodes = graph["nodes"]
    nodes[1]["data"]["inputs"] = {f"item{i}": v for i, v in enumerate(items)}
    for compare in nodes:
        if compare["id"] in ("neg", "huge"):
            compare["data"]["inputs"] = {"b": 0 if compare["id"] == "neg" else 100}
    return graph


def test_one_break_shared_by_two_paths_fires_on_both() -> None:
    assert run(with_items(loop_with_shared_break(), 1, 2, -3, 4)) == "1\n2\nnegative\nafter\n"
    assert run(with_items(loop_with_shared_break(), 1, 500, -3, 4)) == "1\nhuge\nafter\n"
    assert "exec_merge" not in codes(loop_with_shared_break())


def test_a_node_reached_from_two_on_start_chains_runs_for_each() -> None:
    graph = {
        "nodes": [
            node("s1", "on_start"),
            *say("a", "first", 1),
            node("s2", "on_start", 10),
            *say("b", "second", 11),
            node("in", "input", 20, prompt="name? "),
            node("hello", "format_text", 21, template="hello {name}"),
            node("greet", "print", 22),
        ],
        "edges": [
            *chain("s1", "a", "in"),
            *chain("s2", "b", "in"),
            *chain("in", "greet"),
            edge("in", "value", "hello", "field:name"),
            edge("hello", "text", "greet", "value"),
        ],
    }
    result = compile_graph(graph)
    assert not [d for d in result.diagnostics if d.severity != "info"], result.diagnostics
    assert result.code.count("input('name? ')") == 1
    assert run(graph, "ann\nbob\n") == "first\nname? hello ann\nsecond\nname? hello bob\n"


def test_a_node_reached_from_inside_a_loop_and_after_it_runs_each_time() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("loop", "for_range", 1),
            node("tick", "print", 2),
            node("count", "set_variable", 3, name="n"),
            node("get", "get_variable", 3, name="n"),
            node("plus", "arithmetic", 3, op="+"),
        ],
        "edges": [
            *chain("s", "loop"),
            edge("loop", "body", "count", "exec"),
            edge("loop", "next", "count", "exec"),
            edge("get", "value", "plus", "a"),
            edge("plus", "result", "count", "value"),
            *chain("count", "tick"),
            edge("get", "value", "tick", "value"),
        ],
    }
    graph["nodes"][1]["data"]["inputs"] = {"stop": 3}
    graph["nodes"][5]["data"]["inputs"] = {"b": 1}
    setter = compile_graph(graph)
    assert "def shared_set_variable()" in setter.code, setter.code
    # n is None before the first set: the graph reads it, so the first sum fails as Python would.
    graph["nodes"].append(node("init", "set_variable", 0.5, name="n"))
    graph["nodes"][-1]["data"]["inputs"] = {"value": 0}
    graph["edges"] = [e for e in graph["edges"] if e["source"] != "s"]
    graph["edges"] += [*chain("s", "init", "loop")]
    assert run(graph) == "1\n2\n3\n4\n"


def test_a_shared_return_in_a_function_returns_on_every_path() -> None:
    graph = {
        "nodes": [
            node("fd", "function_def", name="sign", parameters="v"),
            node("if", "if", 1),
            node("pos", "compare", op=">"),
            lit("one", "1"),
            lit("minus", "-1"),
            node("set", "set_variable", 2, name="r"),
            node("set2", "set_variable", 2, 200, name="r"),
            node("get", "get_variable", name="r"),
            node("ret", "return", 3),
            node("s", "on_start", 10),
            node("call", "call_function", 11, function="sign", arguments="v"),
            node("p", "print", 12),
        ],
        "edges": [
            edge("fd", "body", "if", "exec"),
            edge("fd", "arg:v", "pos", "a"),
            edge("pos", "result", "if", "condition"),
            edge("if", "then", "set", "exec"),
            edge("if", "else", "set2", "exec"),
            edge("one", "value", "set", "value"),
            edge("minus", "value", "set2", "value"),
            edge("set", "next", "ret", "exec"),
            edge("set2", "next", "ret", "exec"),
            edge("get", "value", "ret", "value"),
            *chain("s", "call", "p"),
            edge("call", "result", "p", "value"),
        ],
    }
    graph["nodes"][2]["data"]["inputs"] = {"b": 0}
    graph["nodes"][10]["data"]["inputs"] = {"arg:v": -7}
    assert run(graph) == "-1\n"
    graph["nodes"][10]["data"]["inputs"] = {"arg:v": 7}
    assert run(graph) == "1\n"


def test_an_execution_cycle_through_a_shared_node_is_an_error() -> None:
    graph = {
        "nodes": [node("s", "on_start"), *say("p1", "a", 1), *say("p2", "b", 2)],
        "edges": [*chain("s", "p1", "p2"), edge("p2", "next", "p1", "exec")],
    }
    assert codes(graph)["exec_cycle"] == {"p1", "p2"}


def test_a_shared_node_of_two_functions_is_an_error() -> None:
    graph = {
        "nodes": [
            node("f", "function_def", name="f", parameters=""),
            node("g", "function_def", 0, 300, name="g", parameters=""),
            *say("p", "shared", 1),
        ],
        "edges": [edge("f", "body", "p", "exec"), edge("g", "body", "p", "exec")],
    }
    assert codes(graph)["shared_across_functions"] == {"p"}


# -- 2. evaluation order and short-circuit


def average_graph(*items: int) -> dict:
    """count > 0 ? total / count : 'no data', over a list typed on Make List's pins."""
    graph = {
        "nodes": [
            node("list", "make_list", count=len(items)),
            node("count", "collection_op", op="length"),
            node("total", "collection_op", op="sum"),
            node("some", "compare", op=">"),
            node("avg", "arithmetic", op="/"),
            node("pick", "conditional"),
            node("p", "print", 5),
        ],
        "edges": [
            edge("list", "list", "count", "value"),
            edge("list", "list", "total", "value"),
            edge("count", "result", "some", "a"),
            edge("total", "result", "avg", "a"),
            edge("count", "result", "avg", "b"),
            edge("some", "result", "pick", "condition"),
            edge("avg", "result", "pick", "if_true"),
            edge("pick", "value", "p", "value"),
        ],
    }
    graph["nodes"][0]["data"]["inputs"] = {f"item{i}": v for i, v in enumerate(items)}
    graph["nodes"][3]["data"]["inputs"] = {"b": 0}
    graph["nodes"][5]["data"]["inputs"] = {"if_false": "no data"}
    return graph


def test_a_conditional_value_evaluates_only_the_branch_it_takes() -> None:
    assert run(average_graph()) == "no data\n"
    assert run(average_graph(2, 4)) == "3.0\n"


def test_the_right_operand_of_and_is_not_evaluated_when_the_left_is_false() -> None:
    graph = {
        "nodes": [
            node("l", "make_list", count=0),
            node("len", "collection_op", op="length"),
            node("nonempty", "compare", op=">"),
            node("first", "get_item"),
            node("positive", "compare", op=">"),
            node("both", "logic", op="and"),
            node("p", "print", 5),
            node("rnd", "math", op="random"),
            node("deep", "compare", op=">"),
        ],
        "edges": [
            edge("l", "list", "len", "value"),
            edge("len", "result", "nonempty", "a"),
            edge("l", "list", "first", "collection"),
            edge("first", "value", "positive", "a"),
            edge("nonempty", "result", "both", "a"),
            edge("positive", "result", "both", "b"),
            edge("both", "result", "p", "value"),
        ],
    }
    for n in graph["nodes"]:
        if n["id"] in ("nonempty", "positive"):
            n["data"]["inputs"] = {"b": 0}
    assert run(graph) == "False\n"


def test_hoisting_still_happens_for_a_value_evaluated_anyway() -> None:
    graph = {
        "nodes": [node("r", "math", op="random"), node("sum", "arithmetic"), node("p", "print", 1)],
        "edges": [
            edge("r", "result", "sum", "a"),
            edge("r", "result", "sum", "b"),
            edge("sum", "result", "p", "value"),
        ],
    }
    code = compile_graph(graph).code
    assert code.count("random.uniform") == 1  # drawn once, so a + a is twice the same number


def test_an_if_branch_value_is_computed_inside_the_branch() -> None:
    graph = average_graph()
    graph["nodes"] = [n for n in graph["nodes"] if n["id"] not in ("pick", "p")]
    graph["edges"] = [e for e in graph["edges"] if e["target"] not in ("pick", "p")]
    graph["nodes"] += [node("s", "on_start"), node("if", "if", 1), node("p", "print", 2)]
    graph["edges"] += [
        *chain("s", "if"),
        edge("some", "result", "if", "condition"),
        edge("if", "then", "p", "exec"),
        edge("avg", "result", "p", "value"),
    ]
    assert run(graph) == ""


# -- 3. dataflow-only graphs


def test_statements_follow_their_own_canvas_place_not_their_sources() -> None:
    graph = {
        "nodes": [
            *say("first", "first", 0),
            node("second", "print", 100),
            lit("v", "second", "text"),
        ],
        "edges": [edge("v", "value", "second", "value")],
    }
    graph["nodes"][2]["position"] = {"x": 0, "y": -500}  # a literal above both
    assert run(graph) == "first\nsecond\n"
    graph["nodes"][2]["position"] = {"x": 0, "y": 500}  # and below both
    assert run(graph) == "first\nsecond\n"


def test_a_variable_is_written_before_it_is_read_with_a_warning_when_drawn_otherwise() -> None:
    graph = {
        "nodes": [
            node("p", "print", 0),
            node("get", "get_variable", 0, name="x"),
            node("set", "set_variable", 100, name="x"),
        ],
        "edges": [edge("get", "value", "p", "value")],
    }
    graph["nodes"][2]["data"]["inputs"] = {"value": 42}
    assert run(graph) == "42\n"
    assert codes(graph)["variable_order"] == {"p"}


def test_reads_and_writes_of_a_variable_keep_their_canvas_order() -> None:
    nodes = []
    for i, value in enumerate((1, 2)):
        setter = node(f"set{i}", "set_variable", i * 200, name="x")
        setter["data"]["inputs"] = {"value": value}
        nodes += [
            setter,
            node(f"p{i}", "print", i * 200 + 100),
            node(f"g{i}", "get_variable", -900, name="x"),
        ]
    graph = {
        "nodes": nodes,
        "edges": [edge("g0", "value", "p0", "value"), edge("g1", "value", "p1", "value")],
    }
    assert run(graph) == "1\n2\n"
    assert "variable_order" not in codes(graph)


def test_a_statement_runs_after_the_statements_it_reads_wherever_they_sit() -> None:
    graph = {
        "nodes": [
            node("p", "print", 0),
            node("plus", "arithmetic", 50),
            node("in", "input", 300, cast="int"),
        ],
        "edges": [edge("in", "value", "plus", "a"), edge("plus", "result", "p", "value")],
    }
    graph["nodes"][1]["data"]["inputs"] = {"b": 1}
    assert run(graph, "41\n") == "42\n"


# -- 4. unwired inputs


def test_an_unwired_input_that_reads_none_warns_on_its_port() -> None:
    graph = {
        "nodes": [
            node("fmt", "format_text", template="{a} and {b}"),
            node("p", "print", 1),
            node("l", "make_list", count=2),
            node("p2", "print", 2),
        ],
        "edges": [edge("fmt", "text", "p", "value"), edge("l", "list", "p2", "value")],
    }
    graph["nodes"][0]["data"]["inputs"] = {"field:a": "x"}
    result = compile_graph(graph)
    unset = {(d.node_id, d.port) for d in result.diagnostics if d.code == "unset_input"}
    assert unset == {("fmt", "field:b"), ("l", "item0"), ("l", "item1")}
    assert all(d.severity == "warning" for d in result.diagnostics if d.code == "unset_input")
    assert run(graph) == "x and None\n[None, None]\n"


def test_an_unwired_required_input_without_a_value_is_an_error() -> None:
    result = compile_graph(
        {
            "nodes": [node("g", "get_item"), node("p", "print", 1)],
            "edges": [edge("g", "value", "p", "value")],
        }
    )
    assert [(d.severity, d.code, d.node_id, d.port) for d in result.diagnostics] == [
        ("error", "missing_input", "g", "collection")
    ]


def test_python_code_inputs_and_function_arguments_warn_when_unset() -> None:
    graph = {
        "nodes": [
            node("py", "python_code", code="r = a", inputs="a", outputs="r"),
            node("fd", "function_def", 100, name="f", parameters="v"),
            node("ret", "return", 101),
            node("s", "on_start", 200),
            node("call", "call_function", 201, function="f", arguments="v"),
        ],
        "edges": [
            edge("fd", "body", "ret", "exec"),
            edge("fd", "arg:v", "ret", "value"),
            *chain("s", "py", "call"),
        ],
    }
    unset = {
        (d.node_id, d.port) for d in compile_graph(graph).diagnostics if d.code == "unset_input"
    }
    assert unset == {("py", "in:a"), ("call", "arg:v")}


def test_a_literal_holding_a_json_number_or_bool_is_that_value() -> None:
    for value, kind, printed in (
        (7, "number", "7"),
        (2.5, "number", "2.5"),
        (True, "bool", "True"),
        (False, "bool", "False"),
    ):
        graph = {
            "nodes": [lit("v", value, kind), node("p", "print", 1)],
            "edges": [edge("v", "value", "p", "value")],
        }
        assert run(graph) == printed + "\n"
        assert "invalid_param" not in codes(graph)


# -- 5. pure values that are changed in place


def test_appending_to_a_make_list_output_warns_that_the_change_is_lost() -> None:
    graph = {
        "nodes": [
            node("l", "make_list", count=1),
            node("s", "on_start"),
            node("app", "set_item", 1, op="append"),
        ],
        "edges": [*chain("s", "app"), edge("l", "list", "app", "collection")],
    }
    graph["nodes"][0]["data"]["inputs"] = {"item0": 1}
    graph["nodes"][2]["data"]["inputs"] = {"value": 2}
    result = compile_graph(graph)
    assert {(d.code, d.node_id, d.port) for d in result.diagnostics} == {
        ("mutates_copy", "app", "collection")
    }


def test_appending_to_a_variable_keeps_the_change() -> None:
    graph = {
        "nodes": [
            node("l", "make_list", count=1),
            node("s", "on_start"),
            node("set", "set_variable", 1, name="items"),
            node("get", "get_variable", name="items"),
            node("app", "set_item", 2, op="append"),
            node("p", "print", 3),
        ],
        "edges": [
            *chain("s", "set", "app", "p"),
            edge("l", "list", "set", "value"),
            edge("get", "value", "app", "collection"),
            edge("get", "value", "p", "value"),
        ],
    }
    graph["nodes"][0]["data"]["inputs"] = {"item0": 1}
    graph["nodes"][4]["data"]["inputs"] = {"value": 2}
    assert "mutates_copy" not in codes(graph)
    assert run(graph) == "[1, 2]\n"


# -- values typed on pins


def test_a_typed_pin_value_is_used_and_a_wire_replaces_it() -> None:
    loop = node("f", "for_range", 1)
    loop["data"]["inputs"] = {"start": 1, "stop": 4}
    graph = {
        "nodes": [node("s", "on_start"), loop, node("p", "print", 2)],
        "edges": [
            *chain("s", "f"),
            edge("f", "body", "p", "exec"),
            edge("f", "index", "p", "value"),
        ],
    }
    assert "range(1, 4)" in compile_graph(graph).code
    assert run(graph) == "1\n2\n3\n"
    graph["nodes"].append(lit("two", "2"))
    graph["edges"].append(edge("two", "value", "f", "stop"))
    assert run(graph) == "1\n"


def test_a_pin_value_of_the_wrong_type_warns_and_uses_the_default() -> None:
    loop = node("f", "for_range", 1)
    loop["data"]["inputs"] = {"stop": "ten", "start": 1.5, "nope": 3}
    graph = {
        "nodes": [node("s", "on_start"), loop, node("p", "print", 2)],
        "edges": [
            *chain("s", "f"),
            edge("f", "body", "p", "exec"),
            edge("f", "index", "p", "value"),
        ],
    }
    result = compile_graph(graph)
    assert {(d.code, d.port) for d in result.diagnostics} == {
        ("invalid_input_value", "stop"),
        ("invalid_input_value", "start"),
    }
    assert "range(10)" in result.code


def test_pin_values_are_constants_never_code() -> None:
    printer = node("p", "print")
    printer["data"]["inputs"] = {"value": "'); import os; os.system('x') #"}
    code = compile_graph({"nodes": [printer], "edges": []}).code
    assert code == "print(\"'); import os; os.system('x') #\")\n"


# -- the source map


def test_lines_after_raw_line_breaks_in_strings_still_map_to_their_nodes() -> None:
    snippet = '"""A docstring\nover two lines."""\nr = a\n'
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("py", "python_code", 1, code=snippet, inputs="a", outputs="r"),
            node("fmt", "format_text", template="line one\nline {n}"),
            node("p", "print", 2),
            node("last", "print", 3),
        ],
        "edges": [
            *chain("s", "py", "p", "last"),
            edge("py", "out:r", "fmt", "field:n"),
            edge("fmt", "text", "p", "value"),
        ],
    }
    type_on(graph, "py", **{"in:a": 2})
    type_on(graph, "last", value="end")
    result = compile_graph(graph)
    lines = result.code.splitlines()
    assert run(graph) == "line one\nline 2\nend\n"
    assert result.source_map[lines.index("print('end')") + 1] == "last"
    helper_lines = [n for n, node_id in result.source_map.items() if node_id == "py"]
    assert lines[min(helper_lines) - 1].startswith("def python_code")


def test_a_shared_chain_inside_a_function_reads_and_sets_the_functions_values() -> None:
    graph = {
        "nodes": [
            node("fd", "function_def", name="twice", parameters="v"),
            node("loop", "for_range", 1),
            node("ask", "input", 2, prompt="? "),
            node("fmt", "format_text", 3, template="{v}:{a}"),
            node("p", "print", 4),
            node("ret", "return", 5),
            node("after", "print", 6),
            node("s", "on_start", 10),
            node("call", "call_function", 11, function="twice", arguments="v"),
        ],
        "edges": [
            edge("fd", "body", "loop", "exec"),
            edge("loop", "body", "ask", "exec"),
            edge("loop", "next", "ask", "exec"),
            *chain("ask", "p"),
            edge("fd", "arg:v", "fmt", "field:v"),
            edge("ask", "value", "fmt", "field:a"),
            edge("fmt", "text", "p", "value"),
            *chain("s", "call", "after"),
            edge("call", "result", "after", "value"),
        ],
    }
    type_on(graph, "loop", stop=2)
    type_on(graph, "call", **{"arg:v": "v"})
    code = compile_graph(graph).code
    assert "    def shared_input():" in code and "nonlocal" in code, code
    assert run(graph, "a\nb\nc\n") == "? v:a\n? v:b\n? v:c\nNone\n"


def test_a_copied_chain_is_copied_whole_into_each_loop_that_reaches_it() -> None:
    """Print -> Break wired from the bodies of two loops: each loop gets both (hypothesis found
    the second copy stopping before the Break)."""
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("if", "if", 1),
            node("first", "for_range", 2),
            *say("p", "p", 3),
            node("brk", "break", 4),
            node("second", "for_range", 5),
        ],
        "edges": [
            *chain("s", "if"),
            edge("if", "else", "first", "exec"),
            edge("first", "body", "p", "exec"),
            edge("p", "next", "brk", "exec"),
            edge("if", "next", "second", "exec"),
            edge("second", "body", "p", "exec"),
        ],
    }
    type_on(graph, "if", condition=False)
    type_on(graph, "first", stop=3)
    type_on(graph, "second", stop=3)
    assert run(graph) == "p\np\n"
    assert compile_graph(graph).diagnostics == []
