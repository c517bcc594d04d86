"""The safety layer: every problem in a graph is a diagnostic, never an exception."""

from __future__ import annotations

import pytest

from graphs.compiler import compile_graph
from tests.compiler.test_compiler_golden import chain, edge, lit, node, run


def codes(graph: object) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for d in compile_graph(graph).diagnostics:
        found.setdefault(d.code, set()).add(d.node_id)
    return found


# Anything at all, as JSON can send it.
BAD_EDGES: list[object] = [None, {"source": "a"}, {"source": [], "target": {}}]
GARBAGE: list[object] = [
    None,
    1,
    "x",
    [],
    {"nodes": 5},
    {"nodes": [1, None, {}]},
    {"nodes": [{"id": "a", "type": {"x": 1}}], "edges": "no"},
    {
        "nodes": [{"id": "a", "type": "print", "data": []}],
        "edges": BAD_EDGES,
    },
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_gives_diagnostics_not_exceptions(garbage: object) -> None:
    result = compile_graph(garbage)
    assert isinstance(result.code, str)
    compile(result.code, "<test>", "exec")


def test_unknown_type_and_dangling_edge() -> None:
    found = codes(
        {
            "nodes": [node("x", "teleport"), node("p", "print")],
            "edges": [edge("ghost", "value", "p", "value"), edge("p", "nope", "p", "exec")],
        }
    )
    assert found["unknown_node_type"] == {"x"}
    assert "dangling_edge" in found


def test_an_unwired_input_uses_its_default_as_its_pin_shows_it() -> None:
    result = compile_graph({"nodes": [node("p", "print")], "edges": []})
    assert result.diagnostics == []
    assert result.code == "print('')\n"


def test_input_wired_twice_is_an_error() -> None:
    found = codes(
        {
            "nodes": [node("p", "print"), lit("a", "1"), lit("b", "2")],
            "edges": [edge("a", "value", "p", "value"), edge("b", "value", "p", "value")],
        }
    )
    assert found["input_wired_twice"] == {"p"}


def test_type_mismatch_warns() -> None:
    found = codes(
        {
            "nodes": [node("z", "sleep"), node("l", "make_list")],
            "edges": [edge("l", "list", "z", "seconds")],
        }
    )
    assert found["type_mismatch"] == {"z"}


def test_data_cycle_names_every_node() -> None:
    graph = {
        "nodes": [
            node("a", "arithmetic"),
            node("b", "arithmetic"),
            node("c", "arithmetic"),
            node("p", "print"),
        ],
        "edges": [
            edge("a", "result", "b", "a"),
            edge("b", "result", "c", "a"),
            edge("c", "result", "a", "a"),
            edge("c", "result", "p", "value"),
        ],
    }
    result = compile_graph(graph)
    cycle = [d for d in result.diagnostics if d.code == "data_cycle"]
    assert {d.node_id for d in cycle} == {"a", "b", "c"}
    assert all("'a'" in d.message and "'b'" in d.message and "'c'" in d.message for d in cycle)


def test_execution_cycle_outside_a_loop() -> None:
    graph = {
        "nodes": [node("s", "on_start"), node("p1", "print"), node("p2", "print")],
        "edges": [*chain("s", "p1", "p2"), edge("p2", "next", "p1", "exec")],
    }
    found = codes(graph)
    assert found["exec_cycle"] == {"p1", "p2"}


def test_loop_body_wired_back_to_its_loop_is_fine() -> None:
    graph = {
        "nodes": [node("s", "on_start"), node("f", "for_range"), node("p", "print"), lit("n", "2")],
        "edges": [
            *chain("s", "f"),
            edge("f", "body", "p", "exec"),
            edge("p", "next", "f", "exec"),
            edge("n", "value", "f", "stop"),
            edge("f", "index", "p", "value"),
        ],
    }
    assert run(graph) == "0\n1\n"


@pytest.mark.parametrize(
    ("type_", "code"),
    [("break", "outside_loop"), ("continue", "outside_loop"), ("return", "outside_function")],
)
def test_break_continue_return_out_of_place(type_: str, code: str) -> None:
    result = compile_graph(
        {"nodes": [node("s", "on_start"), node("x", type_)], "edges": chain("s", "x")}
    )
    assert any(
        d.code == code and d.node_id == "x" and d.severity == "error" for d in result.diagnostics
    )


def test_python_code_syntax_error_names_node_and_line() -> None:
    result = compile_graph(
        {
            "nodes": [node("py", "python_code", code="x = 1\ny = (\n", inputs="", outputs="")],
            "edges": [],
        }
    )
    [error] = [d for d in result.diagnostics if d.code == "python_syntax_error"]
    assert error.node_id == "py" and "line 2" in error.message


def test_python_code_cannot_escape_its_wrapper() -> None:
    result = compile_graph(
        {
            "nodes": [node("py", "python_code", code="nonlocal q\n", inputs="", outputs="")],
            "edges": [],
        }
    )
    assert any(d.code == "python_syntax_error" for d in result.diagnostics)
    compile(result.code, "<test>", "exec")


def test_disconnected_statement_warns_and_generates_nothing() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("p", "print"),
            node("lonely", "print"),
            lit("v", "1"),
        ],
        "edges": [*chain("s", "p"), edge("v", "value", "p", "value")],
    }
    result = compile_graph(graph)
    assert any(d.code == "disconnected" and d.node_id == "lonely" for d in result.diagnostics)
    assert result.code == "print(1)\n"


def test_value_read_before_it_is_set_reads_none() -> None:
    graph = {
        "nodes": [node("s", "on_start"), node("p", "print", 1), node("i", "input", 2)],
        "edges": [*chain("s", "p", "i"), edge("i", "value", "p", "value")],
    }
    result = compile_graph(graph)
    assert any(d.code == "value_maybe_unset" for d in result.diagnostics)
    assert run(graph, "x\n") == "None\n"


def test_deep_pure_chain_and_deep_nesting_do_not_crash() -> None:
    nodes = [node("p", "print"), lit("l", "1")]
    edges = [edge("l", "value", "a0", "a")]
    for i in range(3000):
        nodes.append(node(f"a{i}", "arithmetic"))
        if i:
            edges.append(edge(f"a{i - 1}", "result", f"a{i}", "a"))
    edges.append(edge("a2999", "result", "p", "value"))
    result = compile_graph({"nodes": nodes, "edges": edges})
    assert not result.has_errors
    compile(result.code, "<test>", "exec")
    nested = [node("s", "on_start")] + [node(f"w{i}", "while") for i in range(60)]
    nested_edges = [edge("s", "next", "w0", "exec")] + [
        edge(f"w{i}", "body", f"w{i + 1}", "exec") for i in range(59)
    ]
    result = compile_graph({"nodes": nested, "edges": nested_edges})
    assert any(d.code == "nesting_too_deep" for d in result.diagnostics)
    compile(result.code, "<test>", "exec")


def test_a_try_error_read_after_a_try_without_except_body_is_preset_not_a_name_error():
    """Found by hypothesis: the except clause assigns the message even with no body wired, so a
    read after the Try must see None (with a warning), not raise NameError when nothing failed."""
    import subprocess
    import sys

    from graphs.compiler import compile_graph

    graph = {
        "nodes": [
            {"id": "t", "type": "try", "position": {"x": 0, "y": 0}, "data": {"params": {}}},
            {"id": "p", "type": "print", "position": {"x": 0, "y": 100}, "data": {"params": {}}},
        ],
        "edges": [
            {
                "id": "e",
                "source": "t",
                "sourceHandle": "error",
                "target": "p",
                "targetHandle": "value",
            },
        ],
    }
    result = compile_graph(graph)
    assert "value_maybe_unset" in {d.code for d in result.diagnostics}
    ran = subprocess.run(
        [sys.executable, "-I", "-c", result.code],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "None\n"
