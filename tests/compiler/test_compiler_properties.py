"""Property-based tests over random graphs, including random junk."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphs.catalogue import NODE_TYPES
from graphs.compiler import compile_graph
from tests.budget import examples

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)

LOOP_FREE = sorted(
    t
    for t, d in NODE_TYPES.items()
    if not d.loop and t not in ("input", "sleep", "python_code", "call_function")
)
ALL_TYPES = sorted(NODE_TYPES)


def param_values(type_: str) -> st.SearchStrategy[dict]:
    params = NODE_TYPES[type_].params
    strategies: dict[str, st.SearchStrategy[Any]] = {}
    for param in params:
        if param.choices:
            strategies[param.id] = st.sampled_from([value for value, _ in param.choices])
        elif param.kind == "int":
            strategies[param.id] = st.integers(-2, 4)
        elif param.kind == "bool":
            strategies[param.id] = st.booleans()
        else:
            strategies[param.id] = st.text(max_size=12) | st.sampled_from(["a, b", "x", "{a} {b}"])
    return st.fixed_dictionaries({}, optional=strategies)


@st.composite
def graphs(draw: st.DrawFn, types: list[str], max_nodes: int = 8) -> dict:
    count = draw(st.integers(1, max_nodes))
    nodes: list[dict[str, Any]] = []
    for i in range(count):
        type_ = draw(st.sampled_from(types))
        nodes.append(
            {
                "id": f"n{i}",
                "type": type_,
                "position": {"x": draw(st.integers(0, 3)), "y": draw(st.integers(0, 3))},
                "data": {"params": draw(param_values(type_))},
            }
        )
    ports: list[tuple[str, str, str]] = []  # (node, port, direction)
    for n in nodes:
        definition = NODE_TYPES[n["type"]]
        params = {p.id: p.coerce(n["data"]["params"].get(p.id))[0] for p in definition.params}
        for port in definition.ports_for(params).values():
            ports.append((n["id"], port.id, port.direction))
    outputs = [p for p in ports if p[2] == "output"]
    inputs = [p for p in ports if p[2] == "input"]
    edges = []
    if outputs and inputs:
        for i in range(draw(st.integers(0, 2 * count))):
            source, target = draw(st.sampled_from(outputs)), draw(st.sampled_from(inputs))
            edges.append(
                {
                    "id": f"e{i}",
                    "source": source[0],
                    "sourceHandle": source[1],
                    "target": target[0],
                    "targetHandle": target[1],
                }
            )
    return {"nodes": nodes, "edges": edges}


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_junk_never_raises(junk: object) -> None:
    result = compile_graph(junk)
    compile(result.code, "<junk>", "exec")
    result.to_dict()


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(ALL_TYPES, 12))
def test_random_graphs_compile_when_no_errors(graph: dict) -> None:
    result = compile_graph(graph)
    assert compile_graph(graph).code == result.code
    if not result.has_errors:
        compile(result.code, "<graph>", "exec")
        lines = result.code.count("\n")
        assert all(1 <= line <= lines for line in result.source_map)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(graphs(LOOP_FREE, 8), min_size=5, max_size=5))
def test_loop_free_graphs_run_without_name_or_syntax_errors(batch: list[dict]) -> None:
    """Five graphs per interpreter start: each runs in its own namespace, and any runtime error
    other than NameError/SyntaxError is the user's (e.g. 1/0, None + 1)."""
    programs = [r.code for r in map(compile_graph, batch) if not r.has_errors]
    driver = (
        "import sys\nprograms = " + repr(programs) + "\n"
        "for code in programs:\n"
        "    try:\n"
        "        exec(compile(code, '<graph>', 'exec'), {'__name__': '__main__'})\n"
        "    except (NameError, SyntaxError) as error:\n"
        "        print('BAD', type(error).__name__, error, repr(code), file=sys.stderr)\n"
        "        sys.exit(3)\n"
        "    except BaseException:\n"
        "        pass\n"
    )
    completed = subprocess.run(
        [sys.executable, "-I", "-c", driver],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
